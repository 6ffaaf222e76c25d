import type { Pool, PoolClient } from "pg";

/**
 * What every part of the bot that keeps data in PostgreSQL (the libraries, the record of use)
 * shares: a connection for several statements, a transaction, versioned migrations under an
 * advisory lock, and how a database that cannot be reached is told apart from a failed query.
 */

/** Errors that mean the database is not there (rather than a bug in a query). */
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|timeout|terminat|Connection/i;

/** Whether an error says the database cannot be reached, rather than that a statement failed. */
export function unreachable(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  // PostgreSQL's own errors carry a five-character SQLSTATE: those are answers, not silence
  // (57P01..03: the server shut down or is starting; 08xxx: connection exceptions).
  if (code && /^[0-9A-Z]{5}$/.test(code)) return /^(08|57P0)/.test(code);
  return UNREACHABLE.test(`${code ?? ""} ${message ?? ""}`);
}

/** The database URL without its password, for messages. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * A connection of the pool, for several statements. A connection that breaks while it is out of
 * the pool reports an error event: without a listener, that would stop the process.
 */
export async function connect(pool: Pool): Promise<PoolClient> {
  const client = await pool.connect();
  const ignore = () => {};
  client.on("error", ignore);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.off("error", ignore);
    return release(error);
  };
  return client;
}

/** Runs the work in one transaction on the client: all of it is committed, or none. */
export async function transaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** The schema versions found before and after a migration. */
export interface Migrated {
  from: number;
  to: number;
}

/**
 * Applies the migrations the database does not have yet, in order, each in one transaction with
 * its version number written to `table` (created when missing). The caller holds the advisory
 * lock that keeps processes apart. A database at a later version than `migrations` knows is left
 * alone: `from` says so.
 */
export async function applyMigrations(
  client: PoolClient,
  table: string,
  migrations: readonly string[],
): Promise<Migrated> {
  // DDL takes no parameters: the table's name is the caller's constant, checked here.
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${table} (version integer NOT NULL)`);
  const current = async () => {
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${table}`,
    );
    return rows[0].version ?? 0;
  };
  const from = await current();
  for (let version = from + 1; version <= migrations.length; version++) {
    await transaction(client, async () => {
      // Read again in the transaction: a server that cannot hold advisory locks apart (one
      // session for every client, as PGlite) still applies each version once.
      if ((await current()) >= version) return;
      await client.query(migrations[version - 1]);
      await client.query(`INSERT INTO ${table} (version) VALUES ($1)`, [version]);
    });
  }
  return { from, to: Math.max(from, migrations.length) };
}

/**
 * Creates or migrates a schema (see applyMigrations) under an advisory lock, so that processes
 * starting at once take turns and each version is applied once. Idempotent.
 */
export async function migrate(
  pool: Pool,
  table: string,
  migrations: readonly string[],
  lockKey: number,
): Promise<Migrated> {
  const client = await connect(pool);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [lockKey]);
    try {
      return await applyMigrations(client, table, migrations);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [lockKey]);
    }
  } finally {
    client.release();
  }
}
