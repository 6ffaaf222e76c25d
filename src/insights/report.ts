import type { DayCounts, History } from "../history/index.js";
import { logger } from "../logger.js";
import { type Embed, groupQuestions } from "./groups.js";

/** How many groups, answers and documents each list of the report keeps. */
const LIST_MAX = 10;
const DAY_MS = 86_400_000;

export interface InsightsReport {
  /** The server reported on, or undefined for all. */
  guildId?: string;
  days: number;
  /** The first day of the period (YYYY-MM-DD, UTC). */
  since: string;
  questions: number;
  answered: number;
  refused: number;
  /** Answered questions out of all, from 0 to 1; null when none was asked. */
  answerRate: number | null;
  /** Median time to answer, in milliseconds; null without recorded questions. */
  medianMs: number | null;
  votes: { up: number; down: number };
  /** The most frequent questions, near-duplicates grouped, largest group first. */
  frequent: { question: string; count: number }[];
  /** Refused questions grouped the same way: what the documents miss, largest group first. */
  gaps: { question: string; count: number }[];
  /** Answers with 👎, most 👎 first. */
  downvoted: { question: string; answer: string; down: number }[];
  documents: { cited: { source: string; count: number }[]; never: string[] };
  /** Questions per day, answered and refused, every day of the period (zeros included). */
  perDay: DayCounts[];
  /** False when HISTORY_DAYS=0: no question text is kept, only counts. */
  questionsKept: boolean;
}

export interface ReportOptions {
  guildId?: string;
  days: number;
  now?: Date;
  /** The documents in the index (file names), to tell those never cited. */
  documents: string[];
  /** The knowledge base's embeddings, to group questions asked in other words. */
  embed?: Embed;
  /** HISTORY_DAYS: 0 means question text is not kept. */
  historyDays: number;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Math.round(value * 10) / 10;
}

/** Every day from `since` to `now` (UTC), with the counts of those that had any. */
function everyDay(counts: DayCounts[], since: Date, now: Date): DayCounts[] {
  const known = new Map(counts.map((day) => [day.day, day]));
  const days: DayCounts[] = [];
  for (let t = since.getTime(); t <= now.getTime(); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    days.push(known.get(day) ?? { day, answered: 0, refused: 0, up: 0, down: 0 });
  }
  return days;
}

/**
 * What members asked in the last `days` days, what the documents could not answer, which answers
 * they disliked, and which documents the answers cite: the one report behind /insights and
 * `npm run insights`.
 */
export async function insightsReport(
  history: History,
  options: ReportOptions,
): Promise<InsightsReport> {
  const now = options.now ?? new Date();
  const start = new Date(now.getTime() - (options.days - 1) * DAY_MS);
  const since = new Date(`${start.toISOString().slice(0, 10)}T00:00:00Z`);
  const period = { guildId: options.guildId, since };
  const [days, questions] = await Promise.all([history.days(period), history.questions(period)]);
  const total = (key: keyof Omit<DayCounts, "day">) => days.reduce((sum, day) => sum + day[key], 0);
  const answered = total("answered");
  const refused = total("refused");

  // Grouping falls back to words alone when the embeddings are unavailable (a remote service).
  const embed: Embed | undefined = options.embed
    ? (texts) =>
        (options.embed as Embed)(texts).catch((error: unknown) => {
          logger.warn({ err: error }, "embeddings unavailable; grouping questions by words alone");
          return [];
        })
    : undefined;
  const [frequent, gaps] = await Promise.all([
    groupQuestions(
      questions.map((q) => q.question),
      embed,
    ),
    groupQuestions(
      questions.filter((q) => !q.answered).map((q) => q.question),
      embed,
    ),
  ]);

  const cited = new Map<string, number>();
  for (const question of questions) {
    for (const source of question.sources) cited.set(source, (cited.get(source) ?? 0) + 1);
  }
  const downvoted = questions
    .filter((q) => q.down > 0)
    .sort((a, b) => b.down - a.down || b.at.getTime() - a.at.getTime())
    .slice(0, LIST_MAX)
    .map(({ question, answer, down }) => ({ question, answer, down }));

  return {
    ...(options.guildId ? { guildId: options.guildId } : {}),
    days: options.days,
    since: since.toISOString().slice(0, 10),
    questions: answered + refused,
    answered,
    refused,
    answerRate: answered + refused ? answered / (answered + refused) : null,
    medianMs: median(questions.map((q) => q.ms)),
    votes: { up: total("up"), down: total("down") },
    frequent: frequent.slice(0, LIST_MAX).map(({ question, count }) => ({ question, count })),
    gaps: gaps.slice(0, LIST_MAX).map(({ question, count }) => ({ question, count })),
    downvoted,
    documents: {
      cited: [...cited.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, LIST_MAX)
        .map(([source, count]) => ({ source, count })),
      // Only meaningful when the questions themselves are kept.
      never:
        options.historyDays > 0 ? options.documents.filter((source) => !cited.has(source)) : [],
    },
    perDay: everyDay(days, since, now),
    questionsKept: options.historyDays > 0,
  };
}
