import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";

// Every pool that connects at once: a bot's or a command's (4 each), two bot processes, the test's.
const MAX_CONNECTIONS = 32;

export interface TestDatabase {
  url: string;
  port: number;
  /** Stops serving (the data stays): clients get connection errors until start() again. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An empty database with pgvector, made once by the global setup (creating one takes about 10 s
 * on a loaded machine; loading this copy, 2 s).
 */
const TEMPLATE = path.join(tmpdir(), "docs-qa-bot-pglite-template.tar");

export async function writeTemplate(): Promise<void> {
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
  const dump = await db.dumpDataDir("none");
  await writeFile(TEMPLATE, Buffer.from(await dump.arrayBuffer()));
  await db.close();
}

/**
 * An empty PostgreSQL with pgvector, served on 127.0.0.1 by PGlite in a thread of its own: a real
 * wire-protocol server that `pg` connects to as to any other, installed from npm.
 */
export async function startDatabase(): Promise<TestDatabase> {
  const worker = new Worker(new URL("./pgliteServer.mjs", import.meta.url), {
    workerData: { template: TEMPLATE, maxConnections: MAX_CONNECTIONS },
  });
  const send = (command: string) =>
    new Promise<number>((resolve, reject) => {
      const onMessage = (message: { done: string; port: number }) => {
        if (message.done !== command) return;
        worker.off("message", onMessage);
        worker.off("error", reject);
        resolve(message.port);
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      if (command !== "start") worker.postMessage(command);
    });
  const port = await send("start");
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    pause: () => send("pause").then(() => {}),
    resume: () => send("resume").then(() => {}),
    async stop() {
      await send("stop").catch(() => {});
      await worker.terminate();
    },
  };
}

/** Which store the tests that run against both use: TEST_STORE=postgres (a vitest project) or local. */
export const TEST_STORE = process.env.TEST_STORE === "postgres" ? "postgres" : "local";

const databases = new Map<string, TestDatabase>();

/**
 * The variables that point a DATA_DIR's bot or command at its store: with TEST_STORE=postgres,
 * a database of its own (started with the DATA_DIR, see tempDataDir), else none.
 */
export function storeEnv(dataDir: string | undefined): Record<string, string> {
  const database = dataDir ? databases.get(dataDir) : undefined;
  return database ? { STORE: "postgres", DATABASE_URL: database.url } : {};
}

/** Starts the DATA_DIR's database when the tests run against PostgreSQL. */
export async function databaseFor(dataDir: string): Promise<TestDatabase | undefined> {
  if (TEST_STORE !== "postgres") return undefined;
  const database = await startDatabase();
  databases.set(dataDir, database);
  return database;
}

/** The DATA_DIRs that use another one's database (another machine): it is not theirs to stop. */
const borrowed = new Set<string>();

/** Points a DATA_DIR (another machine's) at the database of another DATA_DIR. */
export function shareDatabase(dataDir: string, withDataDir: string): void {
  if (TEST_STORE !== "postgres") return;
  const database = databases.get(withDataDir);
  if (!database) throw new Error(`no database for ${withDataDir}`);
  databases.set(dataDir, database);
  borrowed.add(dataDir);
}

export async function stopDatabaseOf(dataDir: string): Promise<void> {
  const database = databases.get(dataDir);
  databases.delete(dataDir);
  if (!borrowed.delete(dataDir)) await database?.stop();
}

/** The database a DATA_DIR's tests use, to stop and restart it. */
export function databaseOf(dataDir: string): TestDatabase | undefined {
  return databases.get(dataDir);
}
