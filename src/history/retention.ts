/** What both places the record of use can be kept in delete, and when (HISTORY_DAYS). */
import type { KnownAnswer } from "./types.js";

const DAY_MS = 86_400_000;
/** Counts per day hold nothing about anyone: they are kept at least this long, for the chart. */
const COUNTS_DAYS_MIN = 365;
/**
 * With HISTORY_DAYS=0 an answer's id and server are kept this long (no text, no member), so that
 * its buttons keep working for a week.
 */
const BUTTONS_DAYS_WITHOUT_HISTORY = 7;

/** A direct message has no server: its rows use this in place of a server id. */
export const NO_GUILD = "";

/** An answer's row, as both stores keep it, in the shape the bot uses. */
export function knownAnswer(row: {
  id: string;
  guild_id: string;
  question: string | null;
  parent_id: string | null;
}): KnownAnswer {
  return {
    id: row.id,
    ...(row.guild_id !== NO_GUILD ? { guildId: row.guild_id } : {}),
    ...(row.question !== null ? { question: row.question } : {}),
    ...(row.parent_id !== null ? { parentId: row.parent_id } : {}),
  };
}

/** The day (YYYY-MM-DD, UTC) a moment falls on: the counts are kept per day. */
export function dayOf(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** What a purge at `now` deletes: answers from before a moment, counts from before a day. */
export function retention(
  keepDays: number,
  now: Date,
): { answersBefore: number; countsBefore: string } {
  const answersDays = keepDays > 0 ? keepDays : BUTTONS_DAYS_WITHOUT_HISTORY;
  const countsDays = Math.max(keepDays, COUNTS_DAYS_MIN);
  return {
    answersBefore: now.getTime() - answersDays * DAY_MS,
    countsBefore: dayOf(now.getTime() - countsDays * DAY_MS),
  };
}
