import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { REFUSAL } from "../src/answer/types.js";
import { type Assistant, openAssistant } from "../src/assistant.js";
import { tempDataDir } from "./support/dataDir.js";

let assistant: Assistant;
let cleanup: () => Promise<void>;
const article = readFileSync("data/docs/un-hrc-cooperation-resolution.txt", "utf8");

beforeAll(async () => {
  const data = await tempDataDir();
  cleanup = data.remove;
  ({ assistant } = await openAssistant(data.config));
});
afterAll(() => cleanup());

/** The bold direct answer on the first line, if there is one. */
function direct(answer: string): string | undefined {
  return /^\*\*(.+?)\*\* \[\d+\]$/m.exec(answer.split("\n")[0])?.[1];
}

/** Every quoted piece (between quotation marks, split at the "…" that marks a cut) stands in the article. */
function expectVerbatim(answer: string): void {
  const quotes = [...answer.matchAll(/“([^”]+)”/g)].map((match) => match[1]);
  for (const quote of quotes) {
    for (const piece of quote
      .split("…")
      .map((part) => part.trim())
      .filter(Boolean)) {
      expect(article).toContain(piece);
    }
  }
}

describe("a direct answer first", () => {
  it.each([
    ["Who sponsored it?", "China"],
    ["Who sponsored the resolution?", "China"],
    ["Who introduced the draft resolution?", "Chen Xu"],
    [
      "Which countries co-sponsored the resolution?",
      "Belarus, Cuba, Egypt, Iran, Syria, Venezuela",
    ],
    ["When was the resolution adopted?", "Tuesday"],
    // The text writes "The United Nations (UN) Human Rights Council": a name is its words in a
    // row, whatever punctuation stands between them.
    ["When did the UN Human Rights Council adopt the resolution?", "Tuesday"],
    ["Which UN body adopted it?", "Human Rights Council"],
    [
      "What is the resolution titled?",
      "Promoting Mutually Beneficial Cooperation in the Field of Human Rights",
    ],
    ["How many informal consultations did China hold?", "two"],
    ["Who is Chen Xu?", "head of the Chinese Mission to the UN in Geneva"],
    ["Who reported the story?", "Xinhua"],
    // "a China-sponsored resolution": the name joined to the question's verb is its doer.
    ["Which state sponsored the human rights resolution?", "China"],
    // The object of the question's last verb, at the place where the text has one.
    [
      "What did the co-sponsors call for jointly building?",
      "a community of shared future for human beings",
    ],
  ])("%s → %s", async (question, span) => {
    const answer = await answerQuestion(assistant, question);
    expect(answer.answered).toBe(true);
    expect(direct(answer.answer)).toBe(span);
    // The span is taken from the quoted text, never composed, and the quote is cited.
    expect(article).toContain(span);
    expect(answer.answer.split("\n").length).toBeGreaterThan(1);
    expect(answer.sources.length).toBeGreaterThan(0);
    expectVerbatim(answer.answer);
  });

  it("quotes the whole of the answer it leads with, however the sentence is cut", async () => {
    const answer = await answerQuestion(assistant, "Which countries co-sponsored the resolution?");
    const [, quote] = answer.answer.split("\n");
    expect(quote).toContain("Belarus, Cuba, Egypt, Iran, Syria, Venezuela");
  });

  it("keeps the whole answer short", async () => {
    for (const question of ["Who sponsored it?", "Who introduced the draft resolution?"]) {
      const answer = await answerQuestion(assistant, question);
      expect(answer.answer.length).toBeLessThan(300);
    }
  });
});

describe("what the resolution demands", () => {
  // The proposal is addressed to the Council, not to states: it belongs to the first two only.
  it.each([
    ["What does the resolution demand?", true],
    ["What does it call for?", true],
    ["What does the resolution urge states to do?", false],
  ])("%s lists the resolution's own calls, not a speaker's", async (question, proposal) => {
    const answer = await answerQuestion(assistant, question);
    expect(answer.answered).toBe(true);
    const items = answer.answer.split("\n").filter((line) => line.startsWith("- "));
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(answer.answer).toContain("engage in constructive and genuine dialogue");
    expect(answer.answer).toContain("calls upon all states to uphold multilateralism");
    expect(answer.answer.includes("proposes that the Human Rights Council hold a meeting")).toBe(
      proposal,
    );
    // Chen Xu's speech and the co-sponsors' call are not the resolution's demands.
    expect(answer.answer).not.toContain("once again shows");
    expect(answer.answer).not.toContain("technical assistance");
    for (const item of items) {
      const clause = item.replace(/^- /, "").replace(/ \[\d+\]$/, "");
      for (const piece of clause
        .split("…")
        .map((part) => part.trim())
        .filter(Boolean))
        expect(article).toContain(piece);
    }
  });

  it("names one verb and gets that demand only", async () => {
    const answer = await answerQuestion(assistant, "What does the resolution propose?");
    expect(answer.answer).toContain("hold a meeting");
    expect(answer.answer).not.toContain("uphold multilateralism");
  });

  it("lists what the subject asked about demands, not what 'it', the resolution, does", async () => {
    const answer = await answerQuestion(assistant, "What do the co-sponsors call for?");
    expect(answer.answer).toContain("called for upholding multilateralism");
    expect(answer.answer).not.toContain("proposes that the Human Rights Council");
    expect(answer.answer).not.toContain("emphasizes that international cooperation");
  });

  it("answers the object of another verb after a demand verb, not the list of demands", async () => {
    const answer = await answerQuestion(
      assistant,
      "What does the resolution call upon all states to uphold?",
    );
    expect(direct(answer.answer)).toBe("multilateralism");
  });
});

describe("quotes cut to the clause", () => {
  it("cuts a long sentence to the clauses that answer, marking each cut", async () => {
    const answer = await answerQuestion(assistant, "When was the resolution adopted?");
    const quote = /“([^”]+)”/.exec(answer.answer)?.[1] ?? "";
    expect(quote).toContain("on Tuesday adopted");
    expect(quote).toMatch(/…/);
    expect(quote.length).toBeLessThan(
      (article.split("\n").find((l) => l.startsWith("GENEVA")) ?? "").length,
    );
    expectVerbatim(answer.answer);
  });
});

describe("framing words and the byline", () => {
  it.each([
    ["What does the article say about vaccines?", "affordability of vaccines"],
    ["What does the text say about access to vaccines?", "accessibility and affordability"],
    ["What time was the story published?", "08:15"],
    ["Which news agency reported this?", "Xinhua"],
    // The headline and the photo caption are parts of the story too.
    ["What is the headline of the story?", "UN rights body adopts China-sponsored resolution"],
    ["What is in the picture at the top of the article?", "An outside view of the United Nations"],
  ])("%s", async (question, expected) => {
    const answer = await answerQuestion(assistant, question);
    expect(answer.answered).toBe(true);
    expect(answer.answer).toContain(expected);
  });

  it("quotes the body, not the headline, when the question does not ask for the headline", async () => {
    const answer = await answerQuestion(assistant, "Who sponsored it?");
    expect(answer.answer.split("\n")[1]).toContain("Human Rights Council on Tuesday adopted");
  });
});

describe("questions the documents do not answer", () => {
  it.each([
    "What is the capital of France?",
    "How do I reset my password?",
    "Who won the 2022 World Cup?",
    "What is the boiling point of water?",
    // The article names these things but not what is asked about them.
    "How many members does the Human Rights Council have?",
    "How many votes did the resolution get?",
    "When was the United Nations founded?",
    "How much money does the resolution provide?",
    // ...nor what is said of the thing asked for: the article names countries, not who opposed.
    "Which countries opposed the resolution?",
    "What is the budget of the proposed meeting?",
    // A demand verb alone does not make a question about the resolution's demands.
    "Could you recommend a hotel in Geneva?",
    "What does the resolution recommend about laptops?",
  ])("%s", async (question) => {
    const answer = await answerQuestion(assistant, question);
    expect(answer.answered).toBe(false);
    expect(answer.answer).toBe(REFUSAL);
    expect(answer.sources).toEqual([]);
  });

  it("rejects a question that is empty or too long, saying what to change", async () => {
    await expect(answerQuestion(assistant, "  ")).rejects.toThrow(/too short/);
    await expect(answerQuestion(assistant, "why ".repeat(200))).rejects.toThrow(/too long.*500/);
  });
});
