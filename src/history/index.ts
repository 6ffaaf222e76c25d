import type { CoreConfig } from "../config.js";
import { PostgresHistory } from "./postgres.js";
import { SqliteHistory } from "./sqlite.js";
import type { History } from "./types.js";

export * from "./types.js";

/**
 * The one place that chooses where the record of use is kept: with STORE=postgres, in the
 * database at DATABASE_URL, which every process and machine shares; otherwise a SQLite file under
 * DATA_DIR, which the processes of one machine share.
 */
export function openHistory(config: CoreConfig): History {
  if (config.STORE === "postgres" && config.DATABASE_URL) {
    return new PostgresHistory(config.DATABASE_URL, config.HISTORY_DAYS);
  }
  return new SqliteHistory(config.historyFile, config.HISTORY_DAYS);
}
