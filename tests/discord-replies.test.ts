import { describe, expect, test } from "vitest";
import type { Answer } from "../src/answer/types.js";
import {
  answerReply,
  fitLines,
  insightsReply,
  LIMITS,
  reloadReply,
  truncate,
} from "../src/discord/replies.js";
import { messageProblems } from "./support/discord.js";

describe("truncate", () => {
  test("leaves text that fits alone", () => {
    expect(truncate("Short enough.", 20)).toBe("Short enough.");
  });

  test("cuts after the last whole sentence when that keeps most of the text", () => {
    const text =
      "The first sentence is here. The second one is here too. The third goes on and on.";
    const cut = truncate(text, 60);
    expect(cut).toBe("The first sentence is here. The second one is here too. …");
    expect(cut.length).toBeLessThanOrEqual(60);
  });

  test("otherwise cuts after the last whole word, without trailing punctuation", () => {
    const text = "One long sentence, without any full stop, that runs on well past the limit";
    const cut = truncate(text, 40);
    expect(cut).toBe("One long sentence, without any full…");
    expect(cut.length).toBeLessThanOrEqual(40);
  });

  test("cuts a single overlong word where it must, never in the middle of a surrogate pair", () => {
    expect(truncate("x".repeat(50), 10)).toBe(`${"x".repeat(9)}…`);
    const emoji = "😀".repeat(10);
    const cut = truncate(emoji, 6);
    expect(cut.length).toBeLessThanOrEqual(6);
    expect(cut).toBe("😀😀…");
  });
});

test("fitLines keeps whole lines and says how many were left out", () => {
  const lines = Array.from({ length: 100 }, (_, i) => `document-${i}.txt`);
  const text = fitLines(lines, 200);
  expect(text.length).toBeLessThanOrEqual(200);
  const kept = text.split("\n");
  expect(kept.at(-1)).toBe(`… and ${100 - (kept.length - 1)} more`);
  expect(kept.slice(0, -1)).toEqual(lines.slice(0, kept.length - 1));
});

test("an answer with ten long sources and a long text fits in one message", () => {
  const sources = Array.from({ length: 12 }, (_, i) => ({
    n: i + 1,
    title: `A very long title ${"word ".repeat(80)}`,
    source: `doc-${i}.txt`,
    chunk: 1,
    score: 1,
    text: "",
    quote: "A quote that goes on. ".repeat(100),
  }));
  const answer: Answer = {
    question: `Why ${"so ".repeat(200)}?`,
    answer: "An answer sentence with a citation [1]. ".repeat(300),
    answered: true,
    sources,
    mode: "llm",
    ms: 1234,
  };
  const body = JSON.parse(JSON.stringify(answerReply(answer)));
  expect(messageProblems(body)).toBeUndefined();
  const [embed] = body.embeds;
  expect(embed.fields).toHaveLength(10);
  expect(embed.title.length).toBeLessThanOrEqual(LIMITS.title);
  expect(embed.description).toMatch(/\[1\]\. …$/);
  expect(embed.footer.text).toBe("llm · 1.2 s");
});

test.each([1, 3, 10, 25])(
  "an answer with %i sources at Discord's own limits, a long footer and text fits, and keeps room for its text",
  (count) => {
    const sources = Array.from({ length: count }, (_, i) => ({
      n: i + 1,
      title: `T${"i".repeat(400)}`,
      source: `${"folder/".repeat(60)}doc-${i}.txt`,
      chunk: 1,
      score: 1,
      text: "",
      quote: "q ".repeat(2000),
    }));
    const answer: Answer = {
      question: "Q".repeat(500),
      answer: "An answer sentence with a citation [1]. ".repeat(300),
      answered: true,
      sources,
      mode: "llm",
      ms: 1234,
      note: `Left out 3 sentences ${"because ".repeat(400)}.`,
    };
    const body = JSON.parse(JSON.stringify(answerReply(answer)));
    expect(messageProblems(body)).toBeUndefined();
    const [embed] = body.embeds;
    expect(embed.fields).toHaveLength(Math.min(count, 10));
    for (const field of embed.fields) expect(field.name).toMatch(/^\[\d+\] T/);
    expect(embed.description.length).toBeGreaterThan(1000);
  },
);

test("a reload of thousands of files still fits, listing what it can", () => {
  const many = Array.from({ length: 3000 }, (_, i) => `folder/document-number-${i}.md`);
  const body = JSON.parse(
    JSON.stringify(
      reloadReply({
        added: many,
        changed: many,
        removed: many,
        skipped: many.map((source) => ({
          source,
          reason: "not valid UTF-8 text; re-save the file with UTF-8 encoding",
        })),
        documents: 3000,
        chunks: 90000,
        ms: 65000,
      }),
    ),
  );
  expect(messageProblems(body)).toBeUndefined();
  expect(body.embeds[0].fields.map((field: { name: string }) => field.name)).toEqual([
    "Added (3000)",
    "Changed (3000)",
    "Removed (3000)",
    "Skipped (3000)",
  ]);
  expect(body.embeds[0].description).toContain("3000 documents, 90000 chunks, indexed in 65.0 s");
});

test("a reload's reply says how many shards answer from the new index, and what the others do", () => {
  const report = {
    added: ["new.txt"],
    changed: [],
    removed: [],
    skipped: [],
    documents: 2,
    chunks: 9,
    ms: 40,
  };
  const description = (shards?: { refreshed: number; total: number }) =>
    reloadReply(report, shards).embeds[0].toJSON().description;
  expect(description()).toContain("questions are answered from the new index now.");
  expect(description({ refreshed: 3, total: 3 })).toContain(
    "3 of 3 shards now answer from the new index.",
  );
  expect(description({ refreshed: 2, total: 3 })).toContain(
    "2 of 3 shards now answer from the new index; the others keep the index they had until the next /reload or restart (the bot's logs say why).",
  );
});

describe("insightsReply", () => {
  test("ten long groups in every list, long documents' names: the report still fits one message, as text", () => {
    const long = (i: number) => `@everyone **question ${i}** ${"with many words ".repeat(40)}?`;
    const groups = Array.from({ length: 10 }, (_, i) => ({ question: long(i), count: 10 - i }));
    const reply = insightsReply({
      days: 30,
      since: "2026-11-04",
      questions: 100,
      answered: 60,
      refused: 40,
      answerRate: 0.6,
      medianMs: 12.5,
      votes: { up: 3, down: 7 },
      frequent: groups,
      gaps: groups,
      downvoted: groups.map(({ question }) => ({ question, answer: question, down: 2 })),
      documents: {
        cited: groups.map((_, i) => ({ source: `${"folder/".repeat(30)}doc-${i}.md`, count: i })),
        never: groups.map((_, i) => `${"folder/".repeat(30)}never-${i}.md`),
      },
      perDay: [],
      questionsKept: true,
    });
    const body = JSON.parse(JSON.stringify({ embeds: reply.embeds }));
    expect(messageProblems(body)).toBeUndefined();
    const gaps = body.embeds[0].fields.find(
      (f: { name: string }) => f.name === "What the documents miss",
    );
    expect(gaps.value).toMatch(/^10× @everyone \\\*\\\*question 0/);
    expect(gaps.value).toContain("more");
    expect(body.embeds[0].description).toContain("answer rate 60%");
  });
});
