import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { answerQuestion } from "../src/answer/answer.js";
import { type Assistant, openAssistant } from "../src/assistant.js";
import { loadCoreConfig } from "../src/config.js";
import { CORPUS_DIR, type EvalQuestion } from "./questions.js";
import { type Outcome, type Reply, scoreOne } from "./score.js";

export interface EvalAssistant {
  assistant: Assistant;
  /** Documents loaded and chunks indexed; every corpus file must load. */
  documents: number;
  chunks: number;
  skipped: string[];
  close: () => Promise<void>;
}

/**
 * The assistant a user's server would run over the corpus: one temporary DATA_DIR whose docs/
 * holds the article and the READMEs together, the core's default settings (not this checkout's
 * .env: local embeddings, extractive answerer), the index built as the bot builds it.
 */
export async function openEvalAssistant(): Promise<EvalAssistant> {
  const dir = await mkdtemp(path.join(tmpdir(), "docs-qa-eval-"));
  try {
    await cp(CORPUS_DIR, path.join(dir, "docs"), { recursive: true });
    const { assistant, report } = await openAssistant(loadCoreConfig({ DATA_DIR: dir }));
    return {
      assistant,
      documents: report.documents,
      chunks: report.chunks,
      skipped: report.skipped.map((file) => `${file.source}: ${file.reason}`),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Asks one question through answerQuestion, as the bot and the command line do. */
export async function ask(assistant: Assistant, question: string): Promise<Reply> {
  const started = performance.now();
  try {
    const answer = await answerQuestion(assistant, question);
    return { answer: answer.answer, answered: answer.answered, ms: answer.ms };
  } catch (error) {
    const ms = Math.round((performance.now() - started) * 10) / 10;
    return { answer: "", answered: false, ms, error: (error as Error).message };
  }
}

/** Asks every question, one after the other, and scores each answer. */
export async function evaluate(
  assistant: Assistant,
  questions: EvalQuestion[],
  onOutcome?: (outcome: Outcome) => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const entry of questions) {
    const outcome = scoreOne(entry, await ask(assistant, entry.question));
    onOutcome?.(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}
