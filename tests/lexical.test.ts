import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import MiniSearch from "minisearch";
import { describe, expect, it } from "vitest";
import { LexicalIndex } from "../src/retrieval/lexical.js";
import { STOP_WORDS, stem, wordsWithParts } from "../src/text/tokens.js";
import { REPO } from "./support/dataDir.js";

const CORPUS = path.join(REPO, "eval/corpus");

/** The eval corpus cut into paragraphs, as chunks, and the eval set's questions. */
async function material() {
  const texts: string[] = [];
  for (const name of (await readdir(CORPUS)).sort()) {
    const text = await readFile(path.join(CORPUS, name), "utf8");
    texts.push(...text.split(/\n\s*\n/).filter((paragraph) => paragraph.trim()));
  }
  const lines = (await readFile(path.join(REPO, "eval/questions.jsonl"), "utf8")).split("\n");
  const questions = lines.filter(Boolean).map((line) => JSON.parse(line).question as string);
  return { chunks: texts.map((text, i) => ({ id: String(i), text })), questions };
}

describe("the BM25 index", () => {
  it("ranks and scores every eval question exactly as MiniSearch, which it replaced, did", async () => {
    const { chunks, questions } = await material();
    // MiniSearch as the index used it: the same words and stems, BM25+ with its defaults.
    const miniSearch = new MiniSearch<{ id: string; text: string }>({
      fields: ["text"],
      tokenize: (text) => wordsWithParts(text),
      processTerm: (term) => (STOP_WORDS.has(term) ? null : stem(term)),
    });
    miniSearch.addAll(chunks);
    const built = await LexicalIndex.build(chunks);
    const loaded = await LexicalIndex.load(built.toBuffer());
    expect(chunks.length).toBeGreaterThan(300);
    for (const question of [...questions, "the the", "server server options", "?"]) {
      const expected = miniSearch
        .search(question, { combineWith: "OR" })
        .slice(0, 40)
        .map((hit) => ({ id: String(hit.id), score: hit.score }));
      expect(built.query(question, 40)).toEqual(expected);
      expect(loaded.query(question, 40)).toEqual(expected);
    }
  });
});
