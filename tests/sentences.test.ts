import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { sentenceSpans } from "../src/text/sentences.js";
import { ARTICLE } from "./support/dataDir.js";

// Sentences are found a window at a time (the segmenter slows down much faster than the text
// grows); the windows must not show.

function wholeText(text: string) {
  const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
  return Array.from(segmenter.segment(text), ({ segment, index }) => ({
    text: segment,
    start: index,
    end: index + segment.length,
  }));
}

function expectExactCover(text: string, spans: { text: string; start: number; end: number }[]) {
  let at = 0;
  for (const span of spans) {
    expect(span.start).toBe(at);
    expect(text.slice(span.start, span.end)).toBe(span.text);
    at = span.end;
  }
  expect(at).toBe(text.length);
}

test("a long text gets the same sentences, at the same offsets, as the segmenter gives the whole of it", async () => {
  const article = await readFile(ARTICLE, "utf8");
  // About 100 KB, many windows: paragraphs, headings, abbreviations, quotes, numbers.
  const parts: string[] = [];
  for (let n = 1; parts.join("").length < 100_000; n++) {
    parts.push(`Part ${n}. Dr. Smith said: "It is No. ${n}." ${article}\n\n`);
  }
  const text = parts.join("");
  const spans = sentenceSpans(text);
  expect(spans.length).toBeGreaterThan(500);
  expect(spans).toEqual(wholeText(text));
});

test("text without sentence ends is cut at white space, and text without white space anywhere, with exact offsets", () => {
  const words = Array.from({ length: 12_000 }, (_, i) => `word${i}`).join(" ");
  const spans = sentenceSpans(`${words}. Then a sentence.`);
  expectExactCover(`${words}. Then a sentence.`, spans);
  for (const span of spans.slice(0, -2)) expect(span.text).toMatch(/\s$/);
  expect(spans.at(-1)?.text).toBe("Then a sentence.");

  // Emoji are two UTF-16 units: a window's end must not fall between them.
  const dense = `a${"😀".repeat(30_000)}`;
  const denseSpans = sentenceSpans(dense);
  expectExactCover(dense, denseSpans);
  expect(denseSpans.length).toBeGreaterThan(1);
  for (const span of denseSpans) expect(span.text.codePointAt(0)).not.toBe(0xde00);
});
