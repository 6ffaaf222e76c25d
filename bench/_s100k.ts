import { readdir, readFile } from "node:fs/promises";
import { runInChild } from "./child.js";
import type { ScaleInput, ScaleOutput } from "./scaleWorker.js";

const dir = new URL("../eval/corpus/", import.meta.url);
const sources: string[] = [];
for (const name of await readdir(dir))
  sources.push(
    ...(await readFile(new URL(name, dir), "utf8")).split(/\n\s*\n/).filter((p) => p.trim()),
  );
const questions = (await readFile(new URL("../eval/questions.jsonl", import.meta.url), "utf8"))
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l).question);
const out = await runInChild<ScaleInput, ScaleOutput>(
  new URL("./scaleWorker.ts", import.meta.url),
  { n: 100_000, seed: 20210323, kind: "corpus-like", sources, questions, topK: 5 },
  ["--expose-gc", "--max-old-space-size=8192"],
);
console.log(
  JSON.stringify(
    {
      buildMs: out.buildMs,
      answering: out.answering && {
        answerMs: out.answering.answerMs,
        bm25Ms: out.answering.bm25Ms,
        vectorSearchMs: out.answering.vectorSearchMs,
      },
      memory: out.memory,
    },
    null,
    1,
  ),
);
