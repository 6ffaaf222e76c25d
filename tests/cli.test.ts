import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDataDir } from "./support/dataDir.js";
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

describe("npm run index", () => {
  it("rebuilds and reports documents, skipped files with reasons, chunks and time", async () => {
    const { dir, docs } = await dataDir();
    await writeFile(path.join(docs, "empty.md"), "");
    const { code, stdout } = await npmRun(["index"], { DATA_DIR: dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Indexed 1 document\(s\) from .* into \d+ chunks in \d+ ms\./);
    expect(stdout).toContain("empty.md: empty");
  });
});
