import { type ChildProcess, spawn } from "node:child_process";
import { cp, lstat, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { currentIndexDir } from "../src/index/store.js";
import { KnowledgeBase, ReloadInProgressError } from "../src/knowledgeBase.js";
import { REPO, tempDataDir } from "./support/dataDir.js";

// The index folder as more than one process, or a restored backup, leaves it.

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const data = await tempDataDir();
  cleanups.push(data.remove);
  const builds = () => readdir(path.join(data.config.indexDir, "builds"));
  return { ...data, builds };
}

/** Another process that takes the index folder's lock and holds it until it is killed. */
async function lockHolder(indexDir: string): Promise<ChildProcess> {
  const code = `
    const { lockIndex } = await import(${JSON.stringify(path.join(REPO, "src/index/lock.ts"))});
    await lockIndex(${JSON.stringify(indexDir)});
    process.stdout.write("locked\\n");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  cleanups.push(() => child.kill("SIGKILL"));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (data: Buffer) => {
      if (data.toString().includes("locked")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

test("an index whose `current` became a real folder (cp -rL) is rebuilt, replaced by a link, and nothing is left over", async () => {
  const { dir, config, builds } = await setUp();
  await KnowledgeBase.open(config);
  // A backup restored with links followed.
  const restored = `${dir}-restored`;
  cleanups.push(() => rm(restored, { recursive: true, force: true }));
  await cp(dir, restored, { recursive: true, dereference: true });
  const copy = {
    ...config,
    docsDir: path.join(restored, "docs"),
    indexDir: path.join(restored, "index"),
  };
  expect((await lstat(path.join(copy.indexDir, "current"))).isDirectory()).toBe(true);

  for (let attempt = 0; attempt < 2; attempt++) {
    const { knowledgeBase, report } = await KnowledgeBase.open(copy);
    expect(report.rebuilt).toBe(attempt === 0 ? "no index yet" : undefined);
    expect((await lstat(path.join(copy.indexDir, "current"))).isSymbolicLink()).toBe(true);
    expect((await readdir(copy.indexDir)).sort()).toEqual(["builds", "current"]);
    expect(await readdir(path.join(copy.indexDir, "builds"))).toHaveLength(1);
    const [top] = await knowledgeBase.retrieve("Who sponsored the resolution?");
    expect(top.metadata.source).toBe("un-hrc-cooperation-resolution.txt");
  }
  // The original is untouched.
  expect(await builds()).toHaveLength(1);
});

test("a reload while another process builds the same index is refused; once that process is gone, its lock is taken over", async () => {
  const { config, docs } = await setUp();
  const { knowledgeBase } = await KnowledgeBase.open(config);
  const builtAt = knowledgeBase.manifest.builtAt;
  const holder = await lockHolder(config.indexDir);

  await expect(knowledgeBase.reload()).rejects.toBeInstanceOf(ReloadInProgressError);
  expect(knowledgeBase.manifest.builtAt).toBe(builtAt);

  // The holder dies without releasing its lock: the lock is stale, and the next reload runs.
  holder.kill("SIGKILL");
  await exited(holder);
  await writeFile(path.join(docs, "zorblat.txt"), "The Zorblat lantern festival is in February.");
  const report = await knowledgeBase.reload();
  expect(report.added).toEqual(["zorblat.txt"]);
  expect((await readdir(config.indexDir)).sort()).toEqual(["builds", "current"]);
});

test("a process that starts while another builds waits for that build and uses it", async () => {
  const { config, docs, builds } = await setUp();
  await KnowledgeBase.open(config);
  const holder = await lockHolder(config.indexDir);
  await writeFile(path.join(docs, "zorblat.txt"), "The Zorblat lantern festival is in February.");

  let opened = false;
  const opening = KnowledgeBase.open(config).finally(() => {
    opened = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(opened).toBe(false);
  holder.kill("SIGKILL");
  const { report } = await opening;
  expect(report.added).toEqual(["zorblat.txt"]);
  expect(await builds()).toHaveLength(1);
});

test("a lock too old to be a build under way is taken over, even if its pid lives", async () => {
  const { config } = await setUp();
  const { knowledgeBase } = await KnowledgeBase.open(config);
  const twoHoursAgo = Date.now() - 2 * 60 * 60 * 1000;
  await writeFile(
    path.join(config.indexDir, "build.lock"),
    JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: twoHoursAgo }),
  );
  await expect(knowledgeBase.reload()).resolves.toMatchObject({ rebuilt: "reload" });
});

test("a reload never deletes a build that started after it (another process's, under way)", async () => {
  const { config, builds } = await setUp();
  const { knowledgeBase } = await KnowledgeBase.open(config);
  const later = `${Date.now() + 60_000}-1-abcdef`;
  await mkdir(path.join(config.indexDir, "builds", later));
  await knowledgeBase.reload();
  const left = await builds();
  expect(left).toContain(later);
  expect(left).toHaveLength(2);
  expect(await currentIndexDir(config.indexDir)).not.toContain(later);
});
