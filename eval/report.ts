import { spansOf } from "./questions.js";
import { inSplit, type Outcome, type Rate, type Summary, summarize, summarizeBy } from "./score.js";

/** How much of a missed answer the report shows. */
const SHOWN_CHARS = 200;

/** Rows of cells, each column padded to its widest cell. */
function columns(rows: string[][], indent = "  "): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0)));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, c) => cell.padEnd(widths[c]))
          .join("  ")
          .trimEnd(),
    )
    .join("\n");
}

/** "47/66 71.2%", or "-" when there is nothing to count. */
export function formatRate(r: Rate): string {
  return r.rate === undefined ? "-" : `${r.hits}/${r.total} ${(r.rate * 100).toFixed(1)}%`;
}

const value = (x: number | undefined, unit = "") => (x === undefined ? "-" : `${x}${unit}`);

const HEAD = ["answerable", "refusal P", "refusal R", "direct EM", "median len", "p90 len"];

function cells(s: Summary): string[] {
  return [
    formatRate(s.answerable),
    formatRate(s.refusalPrecision),
    formatRate(s.refusalRecall),
    formatRate(s.directExact),
    value(s.medianLength),
    value(s.p90Length),
  ];
}

/** Whether the outcome counts against the answerer anywhere in the report. */
export function isMiss(o: Outcome): boolean {
  return !o.right || o.spanMatch === false;
}

const quoted = (texts: string[]) => texts.map((text) => JSON.stringify(text)).join(", ");

function describeMiss(o: Outcome): string {
  const { entry, reply } = o;
  const lines = [
    `[${entry.id} ${entry.split ?? "-"} ${entry.corpus}/${entry.category}] ${entry.question}`,
  ];
  if (!entry.answerable) lines.push("  expected: a refusal");
  else {
    const forbid = entry.forbid?.length ? `; without ${quoted(entry.forbid)}` : "";
    lines.push(`  expected: an answer with ${quoted(entry.expect)}${forbid}`);
  }
  if (reply.error) lines.push(`  error: ${reply.error}`);
  if (o.missing.length && reply.answered) lines.push(`  missing: ${quoted(o.missing)}`);
  if (o.forbidden.length) lines.push(`  shows what it must not: ${quoted(o.forbidden)}`);
  if (o.spanMatch === false && reply.answered) {
    const got = o.direct === undefined ? "no bold direct answer" : JSON.stringify(o.direct);
    lines.push(`  direct answer: expected ${quoted(spansOf(entry))}, got ${got}`);
  }
  const shown = reply.answer.replace(/\s+/g, " ").slice(0, SHOWN_CHARS);
  const state = reply.answered ? `answered, ${reply.answer.length} chars` : "refused";
  lines.push(`  got (${state}): ${shown}${reply.answer.length > SHOWN_CHARS ? "…" : ""}`);
  return lines.join("\n");
}

export interface ReportOptions {
  /** Header lines: what was evaluated over what. */
  heading: string[];
  /** Print every answer, not only the misses. */
  verbose?: boolean;
}

/** The evaluation for a person: summaries by split, by category and corpus, and every miss. */
export function renderReport(outcomes: Outcome[], options: ReportOptions): string {
  const splits = (["tune", "heldout", "all"] as const).filter(
    (split) => split === "all" || inSplit(outcomes, split).length > 0,
  );
  const bySplit = splits.map((split) => {
    const s = summarize(inSplit(outcomes, split));
    return [split, String(s.questions), ...cells(s), value(s.p95Ms, " ms")];
  });
  const table = (name: string, rows: [string, Summary][]) =>
    columns([
      [name, "n", ...HEAD],
      ...rows.map(([key, s]) => [key, String(s.questions), ...cells(s)]),
    ]);
  const misses = outcomes.filter(isMiss);
  const out = [
    ...options.heading,
    "",
    columns([["split", "n", ...HEAD, "p95 time"], ...bySplit]),
    "",
    "By category (the questions asked):",
    table(
      "category",
      summarizeBy(outcomes, (entry) => entry.category),
    ),
    "",
    "By corpus:",
    table(
      "corpus",
      summarizeBy(outcomes, (entry) => entry.corpus),
    ),
    "",
    `Misses (${misses.length}):`,
    ...misses.map(describeMiss),
  ];
  if (options.verbose) {
    out.push("", "Every answer:");
    for (const o of outcomes) {
      const mark = isMiss(o) ? "MISS" : "ok";
      out.push(
        `[${o.entry.id} ${mark}] ${o.entry.question}`,
        indent(o.reply.answer || o.reply.error || ""),
        "",
      );
    }
  }
  return out.join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

/** The evaluation for machines: summaries, tables and every outcome. */
export function reportJson(outcomes: Outcome[], meta: Record<string, unknown>) {
  const splits = (["tune", "heldout", "all"] as const).filter(
    (split) => split === "all" || inSplit(outcomes, split).length > 0,
  );
  return {
    ...meta,
    summary: Object.fromEntries(
      splits.map((split) => [split, summarize(inSplit(outcomes, split))]),
    ),
    byCategory: Object.fromEntries(summarizeBy(outcomes, (entry) => entry.category)),
    byCorpus: Object.fromEntries(summarizeBy(outcomes, (entry) => entry.corpus)),
    outcomes: outcomes.map((o) => ({
      id: o.entry.id,
      split: o.entry.split,
      corpus: o.entry.corpus,
      category: o.entry.category,
      question: o.entry.question,
      answerable: o.entry.answerable,
      right: o.right,
      spanMatch: o.spanMatch,
      direct: o.direct,
      missing: o.missing,
      forbidden: o.forbidden,
      answered: o.reply.answered,
      answer: o.reply.answer,
      error: o.reply.error,
      ms: o.reply.ms,
    })),
  };
}
