import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CORPUS_DIR,
  checkEntry,
  type EvalQuestion,
  readQuestions,
  spansOf,
} from "../eval/questions.js";
import { isMiss, renderReport } from "../eval/report.js";
import {
  canonicalSpan,
  directAnswer,
  normalize,
  quantile,
  type Reply,
  scoreOne,
  shows,
  spanMatches,
  summarize,
  summarizeBy,
} from "../eval/score.js";
import { assignSplits } from "../eval/split.js";
import { REFUSAL } from "../src/answer/types.js";

const entry = (fields: Partial<EvalQuestion>): EvalQuestion => ({
  id: "t01",
  corpus: "article",
  category: "who",
  question: "Who introduced the draft resolution?",
  answerable: true,
  expect: ["Chen Xu"],
  split: "tune",
  ...fields,
});
const answered = (answer: string, ms = 1): Reply => ({ answer, answered: true, ms });
const refused: Reply = { answer: REFUSAL, answered: false, ms: 1 };

describe("scoring one answer", () => {
  const demand = entry({
    question: "What does the resolution demand?",
    expect: ["constructive and genuine dialogue", "uphold multilateralism"],
    forbid: ["The pandemic once again shows"],
  });

  it("counts an answer right when it shows every expected string and none forbidden", () => {
    const outcome = scoreOne(
      demand,
      answered(
        "- calling on the states … to engage in Constructive and  genuine\ndialogue [1]\n- also calls upon all states to uphold multilateralism [1]",
      ),
    );
    expect(outcome.right).toBe(true);
    expect(outcome.missing).toEqual([]);
  });

  it("counts an answer wrong when an expected string is missing, and says which", () => {
    const outcome = scoreOne(demand, answered("“engage in constructive and genuine dialogue” [1]"));
    expect(outcome.right).toBe(false);
    expect(outcome.missing).toEqual(["uphold multilateralism"]);
  });

  it("counts an answer wrong when it shows a forbidden string, even with every expected one", () => {
    const outcome = scoreOne(
      demand,
      answered(
        "constructive and genuine dialogue [1] uphold multilateralism [1] “The pandemic once again shows that…” [2]",
      ),
    );
    expect(outcome.right).toBe(false);
    expect(outcome.forbidden).toEqual(["The pandemic once again shows"]);
  });

  it("counts a refusal of an answerable question wrong, and an answer to a question to refuse wrong", () => {
    expect(scoreOne(entry({}), refused).right).toBe(false);
    const toRefuse = entry({ answerable: false, expect: [] });
    expect(scoreOne(toRefuse, refused).right).toBe(true);
    expect(scoreOne(toRefuse, answered("“The Council has 47 members.” [1]")).right).toBe(false);
  });

  it("counts an exception as a miss, never as a refusal", () => {
    const failed: Reply = { answer: "", answered: false, ms: 1, error: "boom" };
    expect(scoreOne(entry({ answerable: false, expect: [] }), failed).right).toBe(false);
    expect(summarize([scoreOne(entry({ answerable: false, expect: [] }), failed)])).toMatchObject({
      refusalPrecision: { hits: 0, total: 0 },
      refusalRecall: { hits: 0, total: 1 },
    });
  });

  it("ignores case, whitespace, curly quotes and markdown's code and bold marks", () => {
    expect(normalize("  **Default:**\n `Infinity`  ")).toBe("default: infinity");
    expect(shows("titled “Promoting Mutually”", 'titled "promoting mutually"')).toBe(true);
    expect(shows("set `currentValue` to `null`", "set currentValue to null")).toBe(true);
    expect(shows("Chen", "Chen Xu")).toBe(false);
    // A lone asterisk is text, not emphasis: the default list marker `*` can be matched.
    expect(spanMatches("`*`", ["*"])).toBe(true);
    expect(spanMatches("`-`", ["*"])).toBe(false);
  });
});

describe("the direct answer", () => {
  it("is the bold text the answer starts with, and only that", () => {
    expect(directAnswer("**China** [1]\n“…adopted a China-sponsored resolution…” [1]")).toBe(
      "China",
    );
    expect(directAnswer("  **Chen Xu**, head of the Chinese Mission [1]")).toBe("Chen Xu");
    expect(directAnswer("“adopted a **China**-sponsored resolution” [1]")).toBeUndefined();
    expect(directAnswer("China [1]")).toBeUndefined();
    // An asterisk inside code is literal: the bold goes on to its own closing asterisks.
    expect(directAnswer("**`10 * 1024`** [1]")).toBe("`10 * 1024`");
  });

  it("matches the span or one of its alternatives, ignoring case and the punctuation around it", () => {
    const cosponsors = entry({
      question: "Which countries co-sponsored it?",
      expect: ["Belarus"],
      span: ["Belarus, Cuba, Egypt, Iran, Syria, Venezuela", "Belarus, Cuba"],
    });
    const long =
      "**Belarus, Cuba, Egypt, Iran, Syria, Venezuela** and a number of other countries [1]";
    expect(scoreOne(cosponsors, answered(long)).spanMatch).toBe(true);
    expect(scoreOne(cosponsors, answered("**belarus, cuba.** [1]")).spanMatch).toBe(true);
    expect(scoreOne(cosponsors, answered("**Belarus** [1]")).spanMatch).toBe(false);
    const title = entry({
      expect: ["Promoting"],
      span: "Promoting Mutually Beneficial Cooperation",
    });
    const quotedTitle = '**"Promoting Mutually Beneficial Cooperation,"** [1] “…”';
    expect(scoreOne(title, answered(quotedTitle)).spanMatch).toBe(true);
    expect(canonicalSpan(" `.start()` ")).toBe("start");
    // A default that is a character alone is compared as that character, not as nothing.
    const dash = entry({ span: ['"-"', "-"] });
    expect(scoreOne(dash, answered('**"-"** [1]')).spanMatch).toBe(true);
    expect(scoreOne(dash, answered('**"="** [1]')).spanMatch).toBe(false);
  });

  it("does not match a right answer without the bold start, nor a refusal", () => {
    const who = entry({ span: "Chen Xu" });
    const quote = scoreOne(who, answered("“Introducing the draft resolution…, Chen Xu, said” [1]"));
    expect(quote.right).toBe(true);
    expect(quote.spanMatch).toBe(false);
    expect(isMiss(quote)).toBe(true);
    expect(scoreOne(who, refused).spanMatch).toBe(false);
    expect(scoreOne(entry({}), answered("**Chen Xu** [1]")).spanMatch).toBeUndefined();
  });
});

describe("the summary", () => {
  const outcomes = [
    scoreOne(entry({ id: "1", span: "Chen Xu" }), answered("**Chen Xu** [1]", 2)),
    scoreOne(entry({ id: "2", split: "heldout" }), answered("“Someone else” [1]", 4)),
    scoreOne(entry({ id: "3", expect: [], answerable: false }), refused),
    scoreOne(entry({ id: "4", expect: [], answerable: false, split: "heldout" }), answered("x", 9)),
    // A refusal of an answerable question lowers refusal precision.
    scoreOne(entry({ id: "5", category: "when", split: "heldout" }), refused),
  ];

  it("gives accuracy, refusal precision and recall, exact match, lengths and time", () => {
    const s = summarize(outcomes);
    expect(s.answerable).toEqual({ hits: 1, total: 3, rate: 1 / 3 });
    expect(s.refusalPrecision).toEqual({ hits: 1, total: 2, rate: 0.5 });
    expect(s.refusalRecall).toEqual({ hits: 1, total: 2, rate: 0.5 });
    expect(s.directExact).toEqual({ hits: 1, total: 1, rate: 1 });
    // Lengths of the answers given: 15, 18 and 1 characters.
    expect(s.medianLength).toBe(15);
    expect(s.p95Ms).toBe(9);
  });

  it("groups by category and reports nothing to count as undefined", () => {
    const groups = Object.fromEntries(summarizeBy(outcomes, (e) => e.category));
    expect(Object.keys(groups)).toEqual(["when", "who"]);
    expect(groups.when.answerable).toEqual({ hits: 0, total: 1, rate: 0 });
    expect(groups.when.directExact.rate).toBeUndefined();
  });

  it("takes quantiles by nearest rank", () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([], 0.5)).toBeUndefined();
  });

  it("prints every miss with what was expected and what came back", () => {
    const text = renderReport(outcomes, { heading: ["test"] });
    expect(text).toContain("Misses (3):");
    expect(text).toMatch(
      /\[2 heldout article\/who\].*\n {2}expected: an answer with "Chen Xu"\n {2}missing: "Chen Xu"\n {2}got \(answered, 18 chars\): “Someone else” \[1\]/,
    );
    expect(text).toMatch(
      /\[4 heldout .*\n {2}expected: a refusal\n {2}got \(answered, 1 chars\): x/,
    );
    expect(text).not.toContain("[1 tune");
  });
});

describe("the evaluation set", () => {
  const questions = readQuestions();
  const documents: Record<string, string> = {};
  const documentOf = (corpus: string) => {
    const file = corpus === "article" ? "un-hrc-cooperation-resolution.txt" : `${corpus}.md`;
    documents[corpus] ??= normalize(readFileSync(path.join(CORPUS_DIR, file), "utf8"));
    return documents[corpus];
  };

  it("holds at least the questions the issue asks for, of each kind", () => {
    const count = (test: (q: EvalQuestion) => boolean) => questions.filter(test).length;
    const article = (q: EvalQuestion) => q.corpus === "article";
    expect(questions.length).toBeGreaterThanOrEqual(130);
    expect(count((q) => article(q) && q.answerable)).toBeGreaterThanOrEqual(65);
    expect(count((q) => article(q) && !q.answerable)).toBeGreaterThanOrEqual(32);
    expect(count((q) => article(q) && q.category === "refuse-named")).toBeGreaterThanOrEqual(14);
    expect(count((q) => q.category === "sponsor")).toBeGreaterThanOrEqual(6);
    expect(count((q) => q.category === "demand")).toBeGreaterThanOrEqual(6);
    expect(count((q) => !article(q))).toBeGreaterThanOrEqual(65);
    expect(count((q) => !article(q) && !q.answerable)).toBeGreaterThanOrEqual(16);
    expect(
      new Set(questions.filter((q) => !article(q)).map((q) => q.corpus)).size,
    ).toBeGreaterThanOrEqual(4);
  });

  it("quotes every expected, forbidden and span string verbatim from its document", () => {
    const absent = questions.flatMap((q) =>
      [...q.expect, ...(q.forbid ?? []), ...spansOf(q)]
        .filter((text) => !documentOf(q.corpus).includes(normalize(text)))
        .map((text) => `${q.id}: ${text}`),
    );
    expect(absent).toEqual([]);
  });

  it("keeps every span to 80 characters at most, with something left after trimming", () => {
    const spans = questions.flatMap(spansOf);
    expect(spans.filter((span) => span.length > 80 || !canonicalSpan(span))).toEqual([]);
  });

  it("splits every question, about half each way, in each corpus and for answerable and refused", () => {
    expect(questions.filter((q) => !q.split)).toEqual([]);
    const strata = new Set(questions.map((q) => `${q.corpus} ${q.answerable}`));
    for (const stratum of strata) {
      const inStratum = questions.filter((q) => `${q.corpus} ${q.answerable}` === stratum);
      const tune = inStratum.filter((q) => q.split === "tune").length;
      expect(Math.abs(2 * tune - inStratum.length), stratum).toBeLessThanOrEqual(1);
    }
  });

  it("assigns the split once: the script never moves a question, and splits new ones alike", () => {
    expect(assignSplits(questions)).toEqual(questions);
    const fresh = questions.map(({ split: _, ...rest }) => rest);
    expect(assignSplits(fresh)).toEqual(assignSplits(fresh));
    const added = [...questions, entry({ id: "new1", split: undefined })];
    const after = assignSplits(added);
    expect(after.slice(0, questions.length)).toEqual(questions);
    expect(after.at(-1)?.split).toMatch(/^(tune|heldout)$/);
  });

  it("rejects an entry that is malformed, saying what is wrong", () => {
    expect(checkEntry(entry({}))).toBeUndefined();
    expect(checkEntry(entry({ expect: [] }))).toMatch(/at least one "expect"/);
    expect(checkEntry(entry({ answerable: false }))).toMatch(/no "expect" or "span"/);
    expect(checkEntry(entry({ split: "test" as never }))).toMatch(/"split"/);
  });
});
