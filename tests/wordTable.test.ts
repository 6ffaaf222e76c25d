import { readFile } from "node:fs/promises";
import fc from "fast-check";
import { expect, test } from "vitest";
import { wordsWithParts } from "../src/text/tokens.js";
import { WordTable } from "../src/text/wordTable.js";
import { ARTICLE } from "./support/dataDir.js";

// Indexing and embedding read texts through a WordTable (a hand-written scanner), questions and
// the answerer through wordsWithParts (a regular expression): a word read differently would be
// indexed under one word and asked for under another.

function wordsOf(table: WordTable, text: string): string[] {
  return table.ids(text).map((id) => table.words[id]);
}

// Characters where the two could part: ASCII letters of both cases, digits, the joiners of
// compounds, letters beyond ASCII (with lower-casing that changes length: İ), digits of other
// scripts, marks, an astral letter (𝐀) and emoji, and lone surrogates.
const PIECES = [
  "a",
  "Z",
  "q",
  "7",
  " ",
  "\n",
  ".",
  "'",
  "’",
  "_",
  "-",
  "--",
  "é",
  "É",
  "İ",
  "ß",
  "Σ",
  "中",
  "٣",
  "\u0301",
  "\u{1d400}",
  "😀",
  "\ud800",
  "\udc00",
  "unorderedList",
  "China-sponsored",
  "ws_no_utf",
  "don't",
  "HTTP2",
  "x'",
  "-y",
];

test("a text's words are wordsWithParts's, in the same order, for any text", () => {
  const table = new WordTable();
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (pieces) => {
      const text = pieces.join("");
      expect(wordsOf(table, text)).toEqual(wordsWithParts(text));
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
      expect(wordsOf(table, text)).toEqual(wordsWithParts(text));
    }),
    { numRuns: 2000 },
  );
});

test("the same word has the same id, whatever its case and however it was met", async () => {
  const table = new WordTable();
  const article = await readFile(ARTICLE, "utf8");
  expect(wordsOf(table, article)).toEqual(wordsWithParts(article));
  const [resolution] = table.ids("Resolution");
  expect(table.ids("the resolution's RESOLUTION resolution")).toEqual([
    table.ids("the")[0],
    table.id("resolution's"),
    // Its part "s" is too short to be a word of its own.
    resolution,
    resolution,
    resolution,
  ]);
  // Ids stay put as the table grows past its first slots.
  const before = table.size;
  for (let n = 0; n < 10_000; n++) table.ids(`word${n}`);
  expect(table.size).toBe(before + 10_000);
  expect(table.ids("Resolution")).toEqual([resolution]);
  expect(table.words[resolution]).toBe("resolution");
});
