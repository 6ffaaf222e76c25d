import pg from "pg";
import { logger } from "../logger.js";
import { connect, migrate, redacted, unreachable } from "../postgres/migrate.js";
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
 * The record's schema, one step per version (in docsbot_history_schema); a new version appends a
 * step. Apart from the libraries' schema (src/index/postgres/schema.ts): neither waits for the
 * other, and the record needs no pgvector.
 */
const MIGRATIONS: string[] = [
  // 1: the answers, the members' votes on them, and the counts per day and server.
  `CREATE TABLE docsbot_history_answers (
     id text PRIMARY KEY,
     at timestamptz NOT NULL,
     day date NOT NULL,
     guild_id text NOT NULL,
     channel_id text,
     user_id text,
     question text,
     answer text,
     answered boolean NOT NULL,
     mode text,
     ms double precision,
     sources jsonb,
     parent_id text
   );
   CREATE INDEX docsbot_history_answers_guild_at ON docsbot_history_answers (guild_id, at);
   CREATE INDEX docsbot_history_answers_at ON docsbot_history_answers (at);
   CREATE TABLE docsbot_history_votes (
     answer_id text NOT NULL REFERENCES docsbot_history_answers (id) ON DELETE CASCADE,
     user_id text NOT NULL,
     vote smallint NOT NULL,
     at timestamptz NOT NULL,
     PRIMARY KEY (answer_id, user_id)
   );
   CREATE TABLE docsbot_history_daily (
     day date NOT NULL,
     guild_id text NOT NULL,
     answered integer NOT NULL DEFAULT 0,
     refused integer NOT NULL DEFAULT 0,
     up integer NOT NULL DEFAULT 0,
     down integer NOT NULL DEFAULT 0,
     PRIMARY KEY (day, guild_id)
   );`,
];

const SCHEMA_TABLE = "docsbot_history_schema";
/** Any number the bot's processes agree on (the libraries' schema uses 727_001). */
const MIGRATION_LOCK = 727_002;
/** Recording is one statement at a time: two connections serve a process's bursts. */
const POOL_MAX = 2;
/**
 * How long a connection, or a vote or a button's lookup, is waited for: a button must be
 * acknowledged within Discord's 3 seconds, and a write that cannot be done by then is dropped
 * and logged, never the answer (as the SQLite file's busy timeout).
 */
const QUICK_MS = 2_000;
/** How long the report's reads and the daily purge may take, over months of questions. */
const LONG_MS = 60_000;
/** Idle connections are closed, so that a process that is done can exit. */
const IDLE_MS = 10_000;
/** Where the record is kept, for the messages of HistoryUnavailableError. */
const KEPT_IN = "the database at DATABASE_URL";

const ANSWERS = "docsbot_history_answers";

/** Counts to add to a day's row. */
type Counts = Partial<Record<"answered" | "refused" | "up" | "down", number>>;

const COUNT = `
  INSERT INTO docsbot_history_daily AS d (day, guild_id, answered, refused, up, down)
  VALUES ($1::date, $2, $3, $4, $5, $6)
  ON CONFLICT (day, guild_id) DO UPDATE SET
    answered = d.answered + excluded.answered, refused = d.refused + excluded.refused,
    up = d.up + excluded.up, down = d.down + excluded.down`;

function countValues(day: string, guild: string, add: Counts): unknown[] {
  return [day, guild, add.answered ?? 0, add.refused ?? 0, add.up ?? 0, add.down ?? 0];
}

/** A statement with its own time limit (pg's query_timeout, which @types/pg does not list). */
function statement(text: string, values: unknown[], ms: number): pg.QueryConfig {
  return { text, values, query_timeout: ms } as pg.QueryConfig;
}

/**
 * The record of use in PostgreSQL (STORE=postgres): every process and machine writes and reads
 * the same tables, so /insights shows what every shard recorded. Same behaviour as the SQLite
 * file (src/history/sqlite.ts).
 */
export class PostgresHistory implements History {
  private connections: pg.Pool | undefined;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    /** HISTORY_DAYS: 0 keeps no question text and no member id. */
    private readonly keepDays: number,
  ) {}

  /** The connection pool, made at first use and again after close (as the SQLite file is opened). */
  private get pool(): pg.Pool {
    if (!this.connections) {
      this.connections = new pg.Pool({
        connectionString: this.url,
        max: POOL_MAX,
        connectionTimeoutMillis: QUICK_MS,
        idleTimeoutMillis: IDLE_MS,
        allowExitOnIdle: true,
      });
      // An idle connection the server dropped: the pool replaces it at the next query.
      this.connections.on("error", (error) =>
        logger.warn({ err: error }, "history: connection lost"),
      );
    }
    return this.connections;
  }

  open(): Promise<void> {
    return this.prepared();
  }

  /** The schema, created or migrated once per process; a failure is tried again at the next use. */
  private prepared(): Promise<void> {
    this.ready ??= (async () => {
      try {
        const { from, to } = await migrate(this.pool, SCHEMA_TABLE, MIGRATIONS, MIGRATION_LOCK);
        if (from > MIGRATIONS.length) {
          throw new HistoryUnavailableError(
            `the record of use in the database at DATABASE_URL (${redacted(this.url)}) was written by a newer version of the bot (schema ${from}); update the bot`,
            KEPT_IN,
          );
        }
        if (from < to) logger.info({ from, to }, "history schema");
      } catch (error) {
        throw this.unavailable(error);
      }
    })();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  /** Runs database work once the schema is there; any failure becomes HistoryUnavailableError. */
  private async use<T>(work: () => Promise<T>): Promise<T> {
    await this.prepared();
    try {
      return await work();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private query<R extends pg.QueryResultRow>(text: string, values: unknown[], ms = QUICK_MS) {
    return this.pool.query<R>(statement(text, values, ms));
  }

  /**
   * Several statements in one transaction on one connection. On failure the connection is
   * dropped, not rolled back: a statement that timed out may still hold it, and the server rolls
   * back what a lost connection began.
   */
  private async inTransaction<T>(
    work: (
      run: <R extends pg.QueryResultRow>(
        text: string,
        values?: unknown[],
      ) => Promise<pg.QueryResult<R>>,
    ) => Promise<T>,
    ms: number,
  ): Promise<T> {
    const client = await connect(this.pool);
    const run = <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
      client.query<R>(statement(text, values, ms));
    try {
      await run("BEGIN");
      const result = await work(run);
      await run("COMMIT");
      client.release();
      return result;
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }

  private unavailable(error: unknown): HistoryUnavailableError {
    if (error instanceof HistoryUnavailableError) return error;
    const { code, message } = error as { code?: string; message?: string };
    const why = unreachable(error)
      ? `cannot be reached (${code ?? message}). Check DATABASE_URL and that PostgreSQL is running`
      : (message ?? String(error));
    return new HistoryUnavailableError(
      `history in the database at DATABASE_URL (${redacted(this.url)}): ${why}`,
      KEPT_IN,
      { cause: error },
    );
  }

  record(entry: AnsweredQuestion): Promise<void> {
    const keep = this.keepDays > 0;
    const day = dayOf(entry.at);
    const guild = entry.guildId ?? NO_GUILD;
    // One statement: the answer and its day's count are written together, or neither.
    return this.use(async () => {
      await this.query(
        `WITH answer AS (
           INSERT INTO ${ANSWERS} (id, at, day, guild_id, channel_id, user_id, question, answer,
             answered, mode, ms, sources, parent_id)
           VALUES ($7, $8, $1::date, $2, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17)
         )${COUNT}`,
        [
          ...countValues(day, guild, {
            answered: entry.answered ? 1 : 0,
            refused: entry.answered ? 0 : 1,
          }),
          entry.id,
          entry.at,
          keep ? (entry.channelId ?? null) : null,
          keep ? entry.userId : null,
          keep ? entry.question : null,
          keep ? entry.answer : null,
          entry.answered,
          keep ? entry.mode : null,
          keep ? entry.ms : null,
          keep ? JSON.stringify(entry.sources) : null,
          entry.parentId ?? null,
        ],
      );
    });
  }

  find(id: string): Promise<KnownAnswer | undefined> {
    return this.use(async () => {
      const { rows } = await this.query<{
        id: string;
        guild_id: string;
        question: string | null;
        parent_id: string | null;
      }>(`SELECT id, guild_id, question, parent_id FROM ${ANSWERS} WHERE id = $1`, [id]);
      return rows[0] ? knownAnswer(rows[0]) : undefined;
    });
  }

  vote(answerId: string, userId: string, vote: Vote, at: Date): Promise<VoteOutcome> {
    return this.use(() =>
      this.inTransaction(async (run): Promise<VoteOutcome> => {
        // The answer's row is locked: two clicks at once (on two shards) are counted in turn.
        const { rows } = await run<{ day: string; guild_id: string }>(
          `SELECT to_char(day, 'YYYY-MM-DD') AS day, guild_id FROM ${ANSWERS}
           WHERE id = $1 FOR UPDATE`,
          [answerId],
        );
        const answer = rows[0];
        if (!answer) return "unknown";
        const value = vote === "up" ? 1 : -1;
        if (this.keepDays === 0) {
          // No member id is kept: the vote is only counted.
          await run(COUNT, countValues(answer.day, answer.guild_id, { [vote]: 1 }));
          return "recorded";
        }
        const earlier = (
          await run<{ vote: number }>(
            "SELECT vote FROM docsbot_history_votes WHERE answer_id = $1 AND user_id = $2",
            [answerId, userId],
          )
        ).rows[0];
        if (earlier?.vote === value) return "unchanged";
        await run(
          `INSERT INTO docsbot_history_votes (answer_id, user_id, vote, at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at`,
          [answerId, userId, value, at],
        );
        const undo = earlier ? { [vote === "up" ? "down" : "up"]: -1 } : {};
        await run(COUNT, countValues(answer.day, answer.guild_id, { ...undo, [vote]: 1 }));
        return earlier ? "changed" : "recorded";
      }, QUICK_MS),
    );
  }

  purge(now: Date): Promise<number> {
    const { answersBefore, countsBefore } = retention(this.keepDays, now);
    return this.use(async () => {
      const { deleted, scrubbed } = await this.inTransaction(async (run) => {
        const { rowCount } = await run(`DELETE FROM ${ANSWERS} WHERE at < $1`, [
          new Date(answersBefore),
        ]);
        await run("DELETE FROM docsbot_history_daily WHERE day < $1::date", [countsBefore]);
        let scrubbed = 0;
        if (this.keepDays === 0) {
          // HISTORY_DAYS was set to 0 after questions were kept: nothing of them may stay.
          const answers = await run(
            `UPDATE ${ANSWERS} SET channel_id = NULL, user_id = NULL, question = NULL,
               answer = NULL, mode = NULL, ms = NULL, sources = NULL
             WHERE question IS NOT NULL OR user_id IS NOT NULL`,
          );
          const votes = await run("DELETE FROM docsbot_history_votes");
          scrubbed = (answers.rowCount ?? 0) + (votes.rowCount ?? 0);
        }
        return { deleted: rowCount ?? 0, scrubbed };
      }, LONG_MS);
      if (scrubbed) {
        // The old versions of the scrubbed rows are removed now, not when autovacuum gets to them.
        await this.query(`VACUUM ${ANSWERS}, docsbot_history_votes`, [], LONG_MS);
      }
      return deleted;
    });
  }

  questions({ guildId, since }: Period): Promise<QuestionEntry[]> {
    return this.use(async () => {
      const { rows } = await this.query<{
        id: string;
        at: Date;
        question: string;
        answer: string | null;
        answered: boolean;
        ms: number | null;
        sources: string[] | null;
        up: number;
        down: number;
      }>(
        `SELECT a.id, a.at, a.question, a.answer, a.answered, a.ms, a.sources,
           (SELECT count(*) FROM docsbot_history_votes v
            WHERE v.answer_id = a.id AND v.vote > 0)::int AS up,
           (SELECT count(*) FROM docsbot_history_votes v
            WHERE v.answer_id = a.id AND v.vote < 0)::int AS down
         FROM ${ANSWERS} a
         WHERE a.at >= $1 AND a.question IS NOT NULL AND ($2::text IS NULL OR a.guild_id = $2)
         ORDER BY a.at`,
        [since, guildId ?? null],
        LONG_MS,
      );
      return rows.map((row) => ({
        id: row.id,
        at: row.at,
        question: row.question,
        answer: row.answer ?? "",
        answered: row.answered,
        ms: row.ms ?? 0,
        sources: row.sources ?? [],
        up: row.up,
        down: row.down,
      }));
    });
  }

  days(period: Period): Promise<DayCounts[]> {
    return this.use(async () => {
      const { rows } = await this.query<DayCounts>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(answered)::int AS answered,
           sum(refused)::int AS refused, sum(up)::int AS up, sum(down)::int AS down
         FROM docsbot_history_daily
         WHERE day >= $1::date AND ($2::text IS NULL OR guild_id = $2)
         GROUP BY day ORDER BY day`,
        [dayOf(period.since), period.guildId ?? null],
        LONG_MS,
      );
      return rows;
    });
  }

  async close(): Promise<void> {
    const pool = this.connections;
    this.connections = undefined;
    this.ready = undefined;
    await pool?.end();
  }
}
