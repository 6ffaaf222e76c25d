/**
 * The record of use: what was asked, how it was answered, how members voted. One small interface
 * so that where it is kept (a SQLite file under DATA_DIR, or a shared database) is chosen in one
 * place (openHistory) and nothing else depends on it.
 */

/** One answer the bot gave, as it is recorded after the reply. */
export interface AnsweredQuestion {
  /** The id the answer's buttons carry. */
  id: string;
  at: Date;
  /** The server, or undefined in a direct message. */
  guildId?: string;
  channelId?: string;
  userId: string;
  question: string;
  answer: string;
  answered: boolean;
  mode: string;
  ms: number;
  /** The documents the answer cites (file names), in citation order. */
  sources: string[];
  /** The answer this one follows up, when it was asked with "Follow up". */
  parentId?: string;
}

/** What is kept of an answer for its buttons. Fields are missing where retention dropped them. */
export interface KnownAnswer {
  id: string;
  guildId?: string;
  question?: string;
  parentId?: string;
}

export type Vote = "up" | "down";

/** Whether a member's vote is new, replaced an earlier one, repeats it, or names no known answer. */
export type VoteOutcome = "recorded" | "changed" | "unchanged" | "unknown";

/** The record of one question in a period, for the insights report. */
export interface QuestionEntry {
  id: string;
  at: Date;
  question: string;
  answer: string;
  answered: boolean;
  ms: number;
  sources: string[];
  up: number;
  down: number;
}

/** Counts for one day (YYYY-MM-DD, UTC). */
export interface DayCounts {
  day: string;
  answered: number;
  refused: number;
  up: number;
  down: number;
}

export interface Period {
  /** One server, or every server when undefined. */
  guildId?: string;
  since: Date;
}

export interface History {
  /** Opens the record and creates or updates its schema; the bot does it at start. */
  open(): Promise<void>;
  /** Keeps an answer (its text and member only when retention allows) and counts it for its day. */
  record(entry: AnsweredQuestion): Promise<void>;
  /** The answer a button names, or undefined when it is not (or no longer) known. */
  find(id: string): Promise<KnownAnswer | undefined>;
  /** A member's vote on an answer: one per member and answer, a second one replaces the first. */
  vote(answerId: string, userId: string, vote: Vote, at: Date): Promise<VoteOutcome>;
  /** Deletes what is older than the retention period; returns how many questions went. */
  purge(now: Date): Promise<number>;
  /** Every question of a period, oldest first (none when no question text is kept). */
  questions(period: Period): Promise<QuestionEntry[]>;
  /** The counts of each day of a period that had any, oldest first. */
  days(period: Period): Promise<DayCounts[]>;
  close(): Promise<void>;
}

/** The record of use cannot be read or written (a locked or damaged file, a lost connection). */
export class HistoryUnavailableError extends Error {
  constructor(
    message: string,
    /** Where the record is kept, for people (no password): what to check, named by its setting. */
    readonly where: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
