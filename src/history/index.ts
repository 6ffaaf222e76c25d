import type { CoreConfig } from "../config.js";
import { SqliteHistory } from "./sqlite.js";
import type { History } from "./types.js";

export * from "./types.js";

/**
 * The one place that chooses where the record of use is kept: a SQLite file under DATA_DIR.
 * (A shared database for shards on several machines would be a second implementation here.)
 */
export function openHistory(config: CoreConfig): History {
  return new SqliteHistory(config.historyFile, config.HISTORY_DAYS);
}
