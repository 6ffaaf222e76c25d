import { readFileSync } from "node:fs";
import path from "node:path";

/** The evaluation set: one question a line, written from the documents before any tuning. */
export const QUESTIONS_FILE = path.join(import.meta.dirname, "questions.jsonl");
/** The documents the questions are about, copied unchanged: the article and seven READMEs. */
export const CORPUS_DIR = path.join(import.meta.dirname, "corpus");

export type Split = "tune" | "heldout";
export const SPLITS: readonly Split[] = ["tune", "heldout"];

export interface EvalQuestion {
  id: string;
  /** "article", or the package whose README the question is about. */
  corpus: string;
  /** The kind of question: "sponsor", "demand", "default", "paraphrase", "refuse-named"... */
  category: string;
  question: string;
  /** False when the documents do not hold the answer and the bot must refuse. */
  answerable: boolean;
  /** Verbatim strings of the document that a right answer shows, every one (case ignored). */
  expect: string[];
  /** Strings a right answer must not show (e.g. a speaker's words for the resolution's own). */
  forbid?: string[];
  /** The direct answer expected in bold at the start: a verbatim span, or its alternatives. */
  span?: string | string[];
  /** Tuning half or held-out half; assigned once by eval/split.ts. */
  split?: Split;
}

/** Reads a JSONL question file, saying which line is wrong when one is. */
export function readQuestions(file = QUESTIONS_FILE): EvalQuestion[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const questions: EvalQuestion[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let entry: EvalQuestion;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      throw new Error(`${file}:${i + 1}: not JSON (${(error as Error).message})`);
    }
    const problem = checkEntry(entry);
    if (problem) throw new Error(`${file}:${i + 1}: ${problem}`);
    questions.push(entry);
  }
  const seen = new Set<string>();
  for (const entry of questions) {
    if (seen.has(entry.id)) throw new Error(`${file}: the id ${entry.id} is used twice`);
    seen.add(entry.id);
  }
  return questions;
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string" && item.trim());
}

/** What is wrong with an entry, or undefined. */
export function checkEntry(entry: EvalQuestion): string | undefined {
  if (typeof entry !== "object" || entry === null) return "not an object";
  for (const key of ["id", "corpus", "category", "question"] as const) {
    if (typeof entry[key] !== "string" || !entry[key].trim()) return `"${key}" must be a string`;
  }
  if (typeof entry.answerable !== "boolean") return `"answerable" must be true or false`;
  if (!isStrings(entry.expect)) return `"expect" must be a list of strings`;
  if (entry.answerable && entry.expect.length === 0) {
    return `an answerable question needs at least one "expect" string`;
  }
  if (!entry.answerable && (entry.expect.length > 0 || entry.span !== undefined)) {
    return `a question to refuse has no "expect" or "span"`;
  }
  if (entry.forbid !== undefined && !isStrings(entry.forbid)) {
    return `"forbid" must be a list of strings`;
  }
  if (entry.span !== undefined && typeof entry.span !== "string" && !isStrings(entry.span)) {
    return `"span" must be a string or a list of strings`;
  }
  if (entry.split !== undefined && !SPLITS.includes(entry.split)) {
    return `"split" must be "tune" or "heldout"`;
  }
  return undefined;
}

/** The spans an entry accepts as its direct answer. */
export function spansOf(entry: EvalQuestion): string[] {
  if (entry.span === undefined) return [];
  return typeof entry.span === "string" ? [entry.span] : entry.span;
}
