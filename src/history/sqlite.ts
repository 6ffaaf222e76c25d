import Database from "better-sqlite3";
import { logger } from "../logger.js";
import { dayOf, knownAnswer, NO_GUILD, retention } from "./retention.js";
import {
  type AnsweredQuestion,
  type DayCounts,
  type History,
  HistoryUnavailableError,
  type KnownAnswer,
  type Period,
  type QuestionEntry,
  type Vote,
  type VoteOutcome,
} from "./types.js";

/**
 * How long a locked file is waited for, in milliseconds. better-sqlite3 waits on the event loop's
 * thread, so the wait is short: a write that cannot wait is dropped and logged, never the answer.
 */
const BUSY_TIMEOUT_MS = 100;
/** Where the record is kept, for the messages of HistoryUnavailableError. */
const KEPT_IN = "the file history.sqlite in DATA_DIR";

/** The schema, one step per version (PRAGMA user_version); a new version appends a step. */
const MIGRATIONS = [
  `CREATE TABLE answers (
     id TEXT PRIMARY KEY,
     at INTEGER NOT NULL,
     day TEXT NOT NULL,
     guild_id TEXT NOT NULL,
     channel_id TEXT,
     user_id TEXT,
     question TEXT,
     answer TEXT,
     answered INTEGER NOT NULL,
     mode TEXT,
     ms REAL,
     sources TEXT,
     parent_id TEXT
   );
   CREATE INDEX answers_guild_at ON answers (guild_id, at);
   CREATE TABLE votes (
     answer_id TEXT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
     user_id TEXT NOT NULL,
     vote INTEGER NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (answer_id, user_id)
   );
   CREATE TABLE daily (
     day TEXT NOT NULL,
     guild_id TEXT NOT NULL,
     answered INTEGER NOT NULL DEFAULT 0,
     refused INTEGER NOT NULL DEFAULT 0,
     up INTEGER NOT NULL DEFAULT 0,
     down INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (day, guild_id)
   );`,
];

interface AnswerRow {
  id: string;
  at: number;
  guild_id: string;
  question: string | null;
  answer: string | null;
  answered: number;
  ms: number | null;
  sources: string | null;
  parent_id: string | null;
  day: string;
  up: number;
  down: number;
}

/** The record of use in one SQLite file (better-sqlite3), opened on first use and reopened after a failure. */
export class SqliteHistory implements History {
  private db: Database.Database | undefined;

  constructor(
    private readonly file: string,
    /** HISTORY_DAYS: 0 keeps no question text and no member id. */
    private readonly keepDays: number,
  ) {}

  async open(): Promise<void> {
    await this.use(() => undefined);
  }

  /** Opens the file and brings its schema up to date, once; a failure is thrown as is. */
  private connection(): Database.Database {
    if (this.db) return this.db;
    let db: Database.Database | undefined;
    try {
      db = new Database(this.file, { timeout: BUSY_TIMEOUT_MS });
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      // Deleted text is overwritten, not left in free pages of the file.
      db.pragma("secure_delete = ON");
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new HistoryUnavailableError(
          `${this.file} was written by a newer version of the bot (schema ${version}); update the bot`,
          KEPT_IN,
        );
      }
      const database = db;
      database.transaction(() => {
        for (const [i, step] of MIGRATIONS.entries()) {
          if (i < version) continue;
          database.exec(step);
          database.pragma(`user_version = ${i + 1}`);
        }
      })();
      if (version < MIGRATIONS.length)
        logger.info({ file: this.file, from: version, to: MIGRATIONS.length }, "history schema");
      this.db = db;
      return db;
    } catch (error) {
      db?.close();
      throw error;
    }
  }

  /** Runs a statement; a locked or damaged file becomes a HistoryUnavailableError that says which. */
  private use<T>(work: (db: Database.Database) => T): Promise<T> {
    try {
      return Promise.resolve(work(this.connection()));
    } catch (error) {
      return Promise.reject(this.unavailable(error));
    }
  }

  private unavailable(error: unknown): HistoryUnavailableError {
    if (error instanceof HistoryUnavailableError) return error;
    const code = (error as { code?: string }).code ?? "";
    let why = (error as Error).message;
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      why = "the file is locked by another program";
    } else if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB") {
      why = "the file is damaged or not a SQLite database; move it away to start a new one";
      // Opened again on the next use, in case the file was replaced meanwhile.
      this.db?.close();
      this.db = undefined;
    }
    return new HistoryUnavailableError(`history ${this.file}: ${why}`, KEPT_IN, { cause: error });
  }

  record(entry: AnsweredQuestion): Promise<void> {
    const keep = this.keepDays > 0;
    return this.use((db) =>
      db.transaction(() => {
        db.prepare(
          `INSERT INTO answers (id, at, day, guild_id, channel_id, user_id, question, answer,
             answered, mode, ms, sources, parent_id)
           VALUES (@id, @at, @day, @guild, @channel, @user, @question, @answer, @answered, @mode,
             @ms, @sources, @parent)`,
        ).run({
          id: entry.id,
          at: entry.at.getTime(),
          day: dayOf(entry.at),
          guild: entry.guildId ?? NO_GUILD,
          channel: keep ? (entry.channelId ?? null) : null,
          user: keep ? entry.userId : null,
          question: keep ? entry.question : null,
          answer: keep ? entry.answer : null,
          answered: entry.answered ? 1 : 0,
          mode: keep ? entry.mode : null,
          ms: keep ? entry.ms : null,
          sources: keep ? JSON.stringify(entry.sources) : null,
          parent: entry.parentId ?? null,
        });
        this.count(db, dayOf(entry.at), entry.guildId ?? NO_GUILD, {
          answered: entry.answered ? 1 : 0,
          refused: entry.answered ? 0 : 1,
        });
      })(),
    );
  }

  private count(
    db: Database.Database,
    day: string,
    guild: string,
    add: Partial<Record<"answered" | "refused" | "up" | "down", number>>,
  ): void {
    db.prepare(
      `INSERT INTO daily (day, guild_id, answered, refused, up, down)
       VALUES (@day, @guild, @answered, @refused, @up, @down)
       ON CONFLICT (day, guild_id) DO UPDATE SET
         answered = answered + excluded.answered, refused = refused + excluded.refused,
         up = up + excluded.up, down = down + excluded.down`,
    ).run({ day, guild, answered: 0, refused: 0, up: 0, down: 0, ...add });
  }

  find(id: string): Promise<KnownAnswer | undefined> {
    return this.use((db) => {
      const row = db
        .prepare("SELECT id, guild_id, question, parent_id FROM answers WHERE id = ?")
        .get(id) as
        | { id: string; guild_id: string; question: string | null; parent_id: string | null }
        | undefined;
      return row ? knownAnswer(row) : undefined;
    });
  }

  vote(answerId: string, userId: string, vote: Vote, at: Date): Promise<VoteOutcome> {
    return this.use((db) =>
      db.transaction((): VoteOutcome => {
        const answer = db.prepare("SELECT day, guild_id FROM answers WHERE id = ?").get(answerId) as
          | { day: string; guild_id: string }
          | undefined;
        if (!answer) return "unknown";
        const value = vote === "up" ? 1 : -1;
        if (this.keepDays === 0) {
          // No member id is kept: the vote is only counted.
          this.count(db, answer.day, answer.guild_id, { [vote]: 1 });
          return "recorded";
        }
        const earlier = db
          .prepare("SELECT vote FROM votes WHERE answer_id = ? AND user_id = ?")
          .get(answerId, userId) as { vote: number } | undefined;
        if (earlier?.vote === value) return "unchanged";
        db.prepare(
          `INSERT INTO votes (answer_id, user_id, vote, at) VALUES (?, ?, ?, ?)
           ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at`,
        ).run(answerId, userId, value, at.getTime());
        const undo = earlier ? { [vote === "up" ? "down" : "up"]: -1 } : {};
        this.count(db, answer.day, answer.guild_id, { ...undo, [vote]: 1 });
        return earlier ? "changed" : "recorded";
      })(),
    );
  }

  purge(now: Date): Promise<number> {
    const { answersBefore, countsBefore } = retention(this.keepDays, now);
    return this.use((db) =>
      db.transaction(() => {
        const { changes } = db.prepare("DELETE FROM answers WHERE at < ?").run(answersBefore);
        db.prepare("DELETE FROM daily WHERE day < ?").run(countsBefore);
        if (this.keepDays === 0) {
          // HISTORY_DAYS was set to 0 after questions were kept: nothing of them may stay.
          db.exec(`UPDATE answers SET channel_id = NULL, user_id = NULL, question = NULL,
                     answer = NULL, mode = NULL, ms = NULL, sources = NULL
                   WHERE question IS NOT NULL OR user_id IS NOT NULL;
                   DELETE FROM votes;`);
        }
        return changes;
      })(),
    ).then((changes) => {
      // The write-ahead log may still hold the deleted rows' pages: fold it in and empty it.
      if (this.keepDays === 0) this.db?.pragma("wal_checkpoint(TRUNCATE)");
      return changes;
    });
  }

  questions({ guildId, since }: Period): Promise<QuestionEntry[]> {
    return this.use((db) => {
      const rows = db
        .prepare(
          `SELECT a.*,
             (SELECT count(*) FROM votes v WHERE v.answer_id = a.id AND v.vote > 0) AS up,
             (SELECT count(*) FROM votes v WHERE v.answer_id = a.id AND v.vote < 0) AS down
           FROM answers a
           WHERE a.at >= @since AND a.question IS NOT NULL
             AND (@guild IS NULL OR a.guild_id = @guild)
           ORDER BY a.at`,
        )
        .all({ since: since.getTime(), guild: guildId ?? null }) as AnswerRow[];
      return rows.map((row) => ({
        id: row.id,
        at: new Date(row.at),
        question: row.question ?? "",
        answer: row.answer ?? "",
        answered: row.answered === 1,
        ms: row.ms ?? 0,
        sources: row.sources ? (JSON.parse(row.sources) as string[]) : [],
        up: row.up,
        down: row.down,
      }));
    });
  }

  days(period: Period): Promise<DayCounts[]> {
    return this.use(
      (db) =>
        db
          .prepare(
            `SELECT day, sum(answered) AS answered, sum(refused) AS refused, sum(up) AS up,
               sum(down) AS down
             FROM daily WHERE day >= @since AND (@guild IS NULL OR guild_id = @guild)
             GROUP BY day ORDER BY day`,
          )
          .all({ since: dayOf(period.since), guild: period.guildId ?? null }) as DayCounts[],
    );
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }
}
