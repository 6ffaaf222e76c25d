import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { REFUSAL } from "../src/answer/types.js";
import { type Assistant, openAssistant } from "../src/assistant.js";
import { tempDataDir } from "./support/dataDir.js";

let assistant: Assistant;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const data = await tempDataDir();
  cleanup = data.remove;
  ({ assistant } = await openAssistant(data.config));
});
afterAll(() => cleanup());

// Each question, and the texts of which the answer must contain at least `need` (default 1).
const answerable: [string, string[], number?][] = [
  ["Who sponsored the resolution?", ["China"]],
  ["What does the resolution demand?", ["dialogue", "multilateralism"]],
  [
    "Which countries co-sponsored the resolution?",
    ["Belarus", "Cuba", "Egypt", "Iran", "Syria", "Venezuela"],
    3,
  ],
  ["What is the resolution titled?", ["Mutually Beneficial Cooperation"]],
  ["Who introduced the draft resolution?", ["Chen Xu"]],
  ["What does it say about COVID-19 vaccines?", ["affordab", "accessib"]],
  ["When was the resolution adopted?", ["Tuesday", "March 23"]],
  ["Which UN body adopted it?", ["Human Rights Council"]],
  ["What meeting does the resolution propose?", ["vulnerable", "marginalized"]],
  ["How did China prepare the draft?", ["consultations"]],
];

const offTopic = [
  "What is the capital of France?",
  "How do I reset my password?",
  "Who won the 2022 World Cup?",
  "What is the boiling point of water?",
];

describe("answers about the article", () => {
  it.each(answerable)("%s", async (question, expected, need = 1) => {
    const answer = await answerQuestion(assistant, question);
    expect(answer.answered).toBe(true);
    expect(answer.mode).toBe("extractive");
    const found = expected.filter((text) =>
      answer.answer.toLowerCase().includes(text.toLowerCase()),
    );
    expect(found.length).toBeGreaterThanOrEqual(need);
    // Every quote is cited, every citation names a source, and every source is quoted from.
    const cited = [...answer.answer.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
    expect(cited.length).toBeGreaterThan(0);
    expect(new Set(cited)).toEqual(new Set(answer.sources.map((source) => source.n)));
    for (const source of answer.sources) {
      expect(source.title).toBe(
        "UN rights body adopts China-sponsored resolution on human rights cooperation",
      );
      expect(source.text).toContain(source.quote.split(" ").slice(0, 6).join(" "));
    }
  });
});

describe("questions the documents do not answer", () => {
  it.each(offTopic)("%s", async (question) => {
    const answer = await answerQuestion(assistant, question);
    expect(answer.answered).toBe(false);
    expect(answer.answer).toBe(REFUSAL);
    expect(answer.sources).toEqual([]);
  });
});

describe("quoting", () => {
  it("quotes only text that stands in the documents", async () => {
    const answer = await answerQuestion(assistant, "Which countries co-sponsored the resolution?");
    const quotes = [...answer.answer.matchAll(/“([^”]+)”/g)].map((match) => match[1]);
    expect(quotes.length).toBeGreaterThan(0);
    const article = (await import("node:fs")).readFileSync(
      "data/docs/un-hrc-cooperation-resolution.txt",
      "utf8",
    );
    for (const quote of quotes) expect(article).toContain(quote);
  });

  it("rejects a question that is empty or too long, saying what to change", async () => {
    await expect(answerQuestion(assistant, "  ")).rejects.toThrow(/too short/);
    await expect(answerQuestion(assistant, "why ".repeat(200))).rejects.toThrow(/too long.*500/);
  });
});
