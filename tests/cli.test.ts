import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO, tempDataDir } from "./support/dataDir.js";
import { run } from "./support/run.js";

let cleanup: () => Promise<void> = async () => {};
afterEach(() => cleanup());

/** `npm run --silent ...` as a person types it; resolves once it has exited and said all. */
async function npmRun(args: string[], env: Record<string, string>, input?: string) {
  const command = run(["run", "--silent", ...args], { LOG_LEVEL: "", ...env }, input);
  const [code] = await Promise.all([command.exited, command.closed]);
  return { code, ...command.output() };
}

async function dataDir(withDocs = true) {
  const data = await tempDataDir({ withDocs });
  cleanup = data.remove;
  return data;
}

describe("npm run ask", () => {
  it("prints one JSON object and nothing else on stdout", async () => {
    const { dir } = await dataDir();
    const { code, stdout } = await npmRun(
      ["ask", "--", "--json", "Who sponsored the resolution?"],
      {
        DATA_DIR: dir,
      },
    );
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const answer = JSON.parse(lines[0]);
    expect(Object.keys(answer)).toEqual([
      "question",
      "answer",
      "answered",
      "sources",
      "mode",
      "ms",
    ]);
    expect(answer).toMatchObject({ answered: true, mode: "extractive" });
    expect(answer.answer).toContain("China");
    expect(Object.keys(answer.sources[0])).toEqual(["title", "source", "chunk", "score", "text"]);
    expect(answer.ms).toBeGreaterThan(0);
  });

  it("answers one JSON line per question read from standard input", async () => {
    const { dir } = await dataDir();
    const questions = "Who introduced the draft resolution?\n\nWhat is the capital of France?\n";
    const { code, stdout } = await npmRun(["ask", "--", "--json"], { DATA_DIR: dir }, questions);
    expect(code).toBe(0);
    const answers = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(answers.map((answer) => answer.answered)).toEqual([true, false]);
    expect(answers[0].answer).toContain("Chen Xu");
    expect(answers[1].answer).toBe("I couldn't find that in the documents.");
  });

  it("prints the answer and its sources for a person", async () => {
    const { dir } = await dataDir();
    const { code, stdout } = await npmRun(["ask", "--", "Who", "sponsored", "it?"], {
      DATA_DIR: dir,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/China-sponsored resolution.*\[1\]/);
    expect(stdout).toContain(
      "[1] UN rights body adopts China-sponsored resolution on human rights cooperation (2021-03-24) — un-hrc-cooperation-resolution.txt, chunk 1",
    );
  });

  it("fails with a message that says where documents go when there are none", async () => {
    const { dir } = await dataDir(false);
    await writeFile(path.join(dir, "notes.docx"), "x");
    const { code, stdout, stderr } = await npmRun(["ask", "--", "Who sponsored it?"], {
      DATA_DIR: dir,
    });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`No usable document in ${path.join(dir, "docs")}`);
    expect(stderr).toMatch(/Put \.txt, \.md or \.html files there/);
  });

  it("names a malformed variable and points at .env.example", async () => {
    const { dir } = await dataDir();
    const { code, stderr } = await npmRun(["ask", "--", "Who sponsored it?"], {
      DATA_DIR: dir,
      TOP_K: "many",
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/TOP_K/);
    expect(stderr).toMatch(/\.env\.example/);
  });
});

describe("a command line that cannot be understood", () => {
  const usage = /\n\nUsage: npm run ask -- \[--json\] \[--\] "question"\n/;

  it.each([
    [["--jsn", "Who sponsored it?"], "Unknown option '--jsn'."],
    [["-5 degrees: is that cold?"], "Unknown option '-5'."],
  ])("prints what is wrong and the usage, and exits 2 (%o)", async (args, message) => {
    const { dir } = await dataDir();
    const { code, stdout, stderr } = await npmRun(["ask", "--", ...args], { DATA_DIR: dir });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr).toMatch(usage);
    expect(stderr).toContain('goes after "--": npm run ask -- -- ');
    expect(stderr).not.toMatch(/\n\s+at |TypeError|"level"/);
  });

  it("answers a question that starts with - when it comes after --", async () => {
    const { dir } = await dataDir();
    const { code, stdout } = await npmRun(["ask", "--", "--", "-- who sponsored the resolution?"], {
      DATA_DIR: dir,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/China-sponsored resolution.*\[1\]/);
  });

  it("exits 2 with the usage when there is no question and standard input is empty", async () => {
    const { dir } = await dataDir();
    // No input: standard input is /dev/null, as from cron or `</dev/null`.
    const { code, stdout, stderr } = await npmRun(["ask"], { DATA_DIR: dir });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^No question given, and none on standard input\.\n\nUsage:/);
  });

  it("npm run index refuses an unknown option with its usage, and exits 2", async () => {
    const { dir } = await dataDir();
    const { code, stderr } = await npmRun(["index", "--", "--force"], { DATA_DIR: dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^Unknown option '--force'\.\n\nUsage: npm run index \[-- --rebuild\]\n/,
    );
  });

  it("stops quietly when the reader of its output goes away (| head -1)", async () => {
    const { dir } = await dataDir();
    const questions = path.join(dir, "questions.txt");
    await writeFile(questions, "Who sponsored the resolution?\n".repeat(300));
    const pipeline = `npm run --silent ask -- --json < "${questions}" 2> "${dir}/stderr" | head -1; echo "exit $\{PIPESTATUS[0]}"; cat "${dir}/stderr"`;
    const command = spawnSync("bash", ["-c", pipeline], {
      cwd: REPO,
      env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: "" },
      encoding: "utf8",
    });
    const [first, status, ...stderr] = command.stdout.split("\n");
    expect(JSON.parse(first)).toMatchObject({ answered: true });
    expect(status).toBe("exit 0");
    expect(stderr.join("\n").trim()).toBe("");
  });
});

describe("npm run index", () => {
  it("rebuilds and reports documents, skipped files with reasons, chunks and time", async () => {
    const { dir, docs } = await dataDir();
    await writeFile(path.join(docs, "empty.md"), "");
    const { code, stdout } = await npmRun(["index"], { DATA_DIR: dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Indexed 1 document\(s\) from .* into \d+ chunks in \d+ ms\./);
    expect(stdout).toContain("empty.md: empty");
  });

  it("names the first ten documents added and counts the rest", async () => {
    const { dir, docs } = await dataDir();
    for (let n = 10; n < 22; n++) {
      await writeFile(path.join(docs, `note-${n}.txt`), `Note ${n} is about lantern number ${n}.`);
    }
    const { code, stdout } = await npmRun(["index"], { DATA_DIR: dir });
    expect(code).toBe(0);
    // The 12 notes and the article the data folder starts with: 13 added, 10 named.
    const added = stdout.split("\n").find((line) => line.startsWith("Added: ")) ?? "";
    expect(added).toMatch(/ and 3 more$/);
    expect(added.split(", ")).toHaveLength(10);
  });
});
