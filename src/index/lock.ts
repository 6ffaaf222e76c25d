import { link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ReloadInProgressError } from "./errors.js";

/**
 * One build at a time per index folder, across processes (the shards of `npm run start:sharded`,
 * `npm run index` beside a running bot): a lock file created atomically, holding who holds it.
 */
const LOCK_FILE = "build.lock";
// A lock older than this is stale even if its pid lives (the pid may have been reused): no build
// of a document set this bot can hold takes this long.
export const LOCK_STALE_MS = 60 * 60 * 1000;
// How often a process that waits for another's build looks again.
const WAIT_POLL_MS = 100;

interface Holder {
  pid: number;
  hostname: string;
  startedAt: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it lives, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isStale(holder: Holder): boolean {
  if (Date.now() - holder.startedAt > LOCK_STALE_MS) return true;
  // A pid says nothing about another machine's processes (an index folder on a shared disk).
  return holder.hostname === hostname() && !isAlive(holder.pid);
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const holder = JSON.parse(await readFile(file, "utf8")) as Holder;
    return Number.isInteger(holder.pid) && Number.isFinite(holder.startedAt) ? holder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of an index folder, and returns what releases it. When another live process
 * holds it, throws ReloadInProgressError, or with `wait` waits until it is released. A stale lock
 * (its process died, or it is too old) is taken over.
 */
export async function lockIndex(
  indexDir: string,
  options: { wait?: boolean } = {},
): Promise<() => Promise<void>> {
  await mkdir(indexDir, { recursive: true });
  const file = path.join(indexDir, LOCK_FILE);
  const mine: Holder = { pid: process.pid, hostname: hostname(), startedAt: Date.now() };
  for (;;) {
    if (await create(file, mine)) return () => rm(file, { force: true });
    const holder = await readHolder(file);
    if (!holder || isStale(holder)) {
      await takeOver(file, holder);
      continue;
    }
    if (!options.wait) throw new ReloadInProgressError();
    await sleep(WAIT_POLL_MS);
  }
}

/**
 * Creates the lock file with its content in one step, or returns false when it exists: the
 * content is written to a file of this process's, then linked to the lock's name (link fails
 * when the name is taken), so that no other process ever reads a lock half-written.
 */
async function create(file: string, holder: Holder): Promise<boolean> {
  const mine = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  await writeFile(mine, JSON.stringify(holder));
  try {
    await link(mine, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(mine, { force: true });
  }
}

/**
 * Removes a stale lock without removing a fresh one another process took in the meantime: the
 * file is first moved aside (atomic), and put back if it turns out not to be the stale one.
 */
async function takeOver(file: string, stale: Holder | undefined): Promise<void> {
  const aside = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;
  try {
    await rename(file, aside);
  } catch {
    return; // Gone already: another process took it over first.
  }
  const moved = await readHolder(aside);
  if (moved && JSON.stringify(moved) !== JSON.stringify(stale)) {
    // A live lock: put it back unless yet another process holds the lock by now.
    await link(aside, file).catch(() => {});
  }
  await rm(aside, { force: true });
}

/**
 * Removes the lock of an index folder if this process holds it: for a build thread that died
 * without releasing it (this process lives on, so the lock would not look stale for an hour).
 */
export async function releaseOwnLock(indexDir: string): Promise<void> {
  const file = path.join(indexDir, LOCK_FILE);
  const holder = await readHolder(file);
  if (holder?.pid === process.pid && holder.hostname === hostname())
    await rm(file, { force: true });
}
