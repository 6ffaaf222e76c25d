import { type EvalQuestion, type Split, spansOf } from "./questions.js";

/** What came back for one question: the fields of an Answer that the score reads. */
export interface Reply {
  answer: string;
  answered: boolean;
  ms: number;
  /** Set when answerQuestion threw: always a miss. */
  error?: string;
}

export interface Outcome {
  entry: EvalQuestion;
  reply: Reply;
  /** Answerable: answered with every expect string and no forbid string. To refuse: refused. */
  right: boolean;
  /** The expect strings the answer lacks (answerable questions). */
  missing: string[];
  /** The forbid strings the answer shows. */
  forbidden: string[];
  /** The bold text the answer starts with, if it starts with one. */
  direct?: string;
  /** Whether the direct answer is the expected span; only for entries with a span. */
  spanMatch?: boolean;
}

/**
 * Text as the score compares it: case ignored, runs of whitespace as one space, curly quotes as
 * straight ones, and markdown's bold and code marks (`**`, `` ` ``) dropped, since they are
 * presentation: "Default: `0`" in a README and "Default: 0" in an answer say the same. A single
 * `*` stays: it can be the value itself (a list marker whose default is `*`).
 */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/`|\*\*/g, "")
    .replace(/[“”„]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}

/** Whether the answer shows the string, as normalize compares them. */
export function shows(answer: string, text: string): boolean {
  return normalize(answer).includes(normalize(text));
}

/**
 * The bold text (`**X**`) the answer starts with, or undefined when it does not start with one. An
 * asterisk inside code (`` **`10 * 1024`** ``) is literal, as Discord renders it.
 */
export function directAnswer(answer: string): string | undefined {
  const match = /^\s*\*\*((?:`[^`\n]*`|[^*])+?)\*\*/.exec(answer);
  return match ? match[1] : undefined;
}

/**
 * A span as it is compared: normalized, without the punctuation or symbols around it, unless it is
 * nothing else (a default character: `"-"`, `=`), when its quotes alone are dropped.
 */
export function canonicalSpan(text: string): string {
  const bare = normalize(text).replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, "");
  return bare || normalize(text).replace(/^["']|["']$/g, "");
}

/** Whether a direct answer is one of the accepted spans. */
export function spanMatches(direct: string | undefined, spans: string[]): boolean {
  if (direct === undefined) return false;
  const got = canonicalSpan(direct);
  return got.length > 0 && spans.some((span) => canonicalSpan(span) === got);
}

export function scoreOne(entry: EvalQuestion, reply: Reply): Outcome {
  const missing = entry.answerable ? entry.expect.filter((text) => !shows(reply.answer, text)) : [];
  const forbidden = (entry.forbid ?? []).filter(
    (text) => reply.answered && shows(reply.answer, text),
  );
  const ok = reply.error === undefined;
  const right = entry.answerable
    ? ok && reply.answered && missing.length === 0 && forbidden.length === 0
    : ok && !reply.answered;
  const direct = reply.answered ? directAnswer(reply.answer) : undefined;
  const spans = spansOf(entry);
  const outcome: Outcome = { entry, reply, right, missing, forbidden, direct };
  if (spans.length > 0) outcome.spanMatch = ok && reply.answered && spanMatches(direct, spans);
  return outcome;
}

/** A count out of a total, and the ratio (undefined when there is nothing to count). */
export interface Rate {
  hits: number;
  total: number;
  rate?: number;
}

function rate(hits: number, total: number): Rate {
  return { hits, total, rate: total > 0 ? hits / total : undefined };
}

/** The value at quantile q (0..1) of the values, by the nearest-rank method. */
export function quantile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface Summary {
  questions: number;
  /** Answerable questions answered right (answered, every expect string, no forbid string). */
  answerable: Rate;
  /** Of the refusals given, how many were of questions to refuse. */
  refusalPrecision: Rate;
  /** Of the questions to refuse, how many were refused. */
  refusalRecall: Rate;
  /** Of the entries with a span, how many answers start with it in bold. */
  directExact: Rate;
  /** Answer length in characters, over the answers given (refusals excluded). */
  medianLength?: number;
  p90Length?: number;
  p95Ms?: number;
}

export function summarize(outcomes: Outcome[]): Summary {
  const answerable = outcomes.filter((o) => o.entry.answerable);
  const toRefuse = outcomes.filter((o) => !o.entry.answerable);
  const refused = outcomes.filter((o) => !o.reply.answered && o.reply.error === undefined);
  const withSpan = outcomes.filter((o) => o.spanMatch !== undefined);
  const lengths = outcomes.filter((o) => o.reply.answered).map((o) => o.reply.answer.length);
  return {
    questions: outcomes.length,
    answerable: rate(answerable.filter((o) => o.right).length, answerable.length),
    refusalPrecision: rate(refused.filter((o) => !o.entry.answerable).length, refused.length),
    refusalRecall: rate(toRefuse.filter((o) => o.right).length, toRefuse.length),
    directExact: rate(withSpan.filter((o) => o.spanMatch).length, withSpan.length),
    medianLength: quantile(lengths, 0.5),
    p90Length: quantile(lengths, 0.9),
    p95Ms: quantile(
      outcomes.map((o) => o.reply.ms),
      0.95,
    ),
  };
}

/** Summaries keyed by a property of each question (its category, its corpus...), sorted by key. */
export function summarizeBy(
  outcomes: Outcome[],
  key: (entry: EvalQuestion) => string,
): [string, Summary][] {
  const groups = new Map<string, Outcome[]>();
  for (const outcome of outcomes) {
    const name = key(outcome.entry);
    groups.set(name, [...(groups.get(name) ?? []), outcome]);
  }
  return [...groups.keys()].sort().map((name) => [name, summarize(groups.get(name) ?? [])]);
}

export function inSplit(outcomes: Outcome[], split: Split | "all"): Outcome[] {
  return split === "all" ? outcomes : outcomes.filter((o) => o.entry.split === split);
}
