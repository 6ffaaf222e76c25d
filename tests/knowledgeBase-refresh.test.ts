import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { currentIndexDir } from "../src/index/store.js";
import { KnowledgeBase } from "../src/knowledgeBase.js";
import { tempDataDir } from "./support/dataDir.js";

// Two knowledge bases over one DATA_DIR, as two shards of the bot hold them.

const FESTIVAL = "When does the Zorblat lantern festival take place?";
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function twoShards() {
  const data = await tempDataDir();
  cleanups.push(data.remove);
  const { knowledgeBase: first } = await KnowledgeBase.open(data.config);
  const { knowledgeBase: second } = await KnowledgeBase.open(data.config);
  const builds = () => readdir(path.join(data.config.indexDir, "builds"));
  return { ...data, first, second, builds };
}

test("refresh loads the index another shard built, without building one; until then the old one answers", async () => {
  const { docs, first, second, builds } = await twoShards();
  await writeFile(
    path.join(docs, "zorblat.txt"),
    "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every February in Tromsø.\n",
  );
  await writeFile(path.join(docs, "minutes.pdf"), "%PDF-1.4");
  await first.reload();
  const [top] = await second.retrieve(FESTIVAL);
  expect(top.metadata.source).toBe("un-hrc-cooperation-resolution.txt");
  const built = await builds();

  const manifest = await second.refresh();
  expect(manifest.builtAt).toBe(first.manifest.builtAt);
  expect(second.manifest.builtAt).toBe(first.manifest.builtAt);
  expect((await second.retrieve(FESTIVAL))[0].metadata.source).toBe("zorblat.txt");
  expect(second.skipped).toEqual([
    { source: "minutes.pdf", reason: expect.stringContaining("unsupported file type") },
  ]);
  expect(await builds()).toEqual(built);

  // Nothing newer on disk: the index in memory stays as it is.
  const loaded = second.manifest;
  await second.refresh();
  expect(second.manifest).toBe(loaded);
});

test("a refresh that cannot read the new index fails, and the old one keeps answering", async () => {
  const { config, docs, first, second } = await twoShards();
  const builtAt = second.manifest.builtAt;
  await writeFile(path.join(docs, "zorblat.txt"), "The Zorblat lantern festival is in February.");
  await first.reload();
  const current = await currentIndexDir(config.indexDir);
  await writeFile(path.join(current as string, "hnswlib.index"), "garbage");

  await expect(second.refresh()).rejects.toThrow();
  expect(second.manifest.builtAt).toBe(builtAt);
  const [top] = await second.retrieve("Who sponsored the resolution?");
  expect(top.metadata.source).toBe("un-hrc-cooperation-resolution.txt");
});
