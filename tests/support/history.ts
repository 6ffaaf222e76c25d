import Database from "better-sqlite3";
import pg from "pg";
import { loadCoreConfig } from "../../src/config.js";
import { type History, openHistory } from "../../src/history/index.js";
import { databaseOf, storeEnv } from "./postgres.js";

/**
 * The record of use of a DATA_DIR as another process would open it: the SQLite file under it, or,
 * with TEST_STORE=postgres, its database (openHistory chooses, as in the bot).
 */
export function openTestHistory(dataDir: string, historyDays = 90): History {
  return openHistory(
    loadCoreConfig({ DATA_DIR: dataDir, ...storeEnv(dataDir), HISTORY_DAYS: String(historyDays) }),
  );
}

/** The record's three tables, by what they hold. */
const TABLES = {
  local: { answers: "answers", votes: "votes", daily: "daily" },
  postgres: {
    answers: "docsbot_history_answers",
    votes: "docsbot_history_votes",
    daily: "docsbot_history_daily",
  },
} as const;

/**
 * Every row of one of the record's tables as the store keeps it, each as JSON: what is there,
 * read past the History interface.
 */
export async function storedRows(
  dataDir: string,
  table: keyof (typeof TABLES)["local"],
): Promise<string[]> {
  const database = databaseOf(dataDir);
  if (database) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM ${TABLES.postgres[table]} t`,
      );
      return rows.map((r) => r.row);
    } finally {
      await client.end();
    }
  }
  const db = new Database(loadCoreConfig({ DATA_DIR: dataDir }).historyFile, { readonly: true });
  try {
    return db
      .prepare(`SELECT * FROM ${TABLES.local[table]}`)
      .all()
      .map((row) => JSON.stringify(row));
  } finally {
    db.close();
  }
}
