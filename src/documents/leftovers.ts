import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";

// Files of a change under way: dot files, which the documents loader never reads, named with the
// process that makes the change: its pid, and a token of this run of it, since a restarted bot
// often gets the pid it had (PID 1 in a container).
const TEMPORARY = /^\.(adding|replaced|removing)-(\d+)-([0-9a-f]{8})-/;
const RUN = randomBytes(4).toString("hex");

export function temporaryName(kind: "adding" | "replaced" | "removing", name: string): string {
  return `.${kind}-${process.pid}-${RUN}-${randomBytes(4).toString("hex")}-${name}`;
}

/** The pid of the process that made a temporary file, or undefined for any other file. */
export function temporaryOwner(name: string): number | undefined {
  const match = TEMPORARY.exec(name);
  return match ? Number(match[2]) : undefined;
}

/** Whether a process runs: it exists and, where Linux tells, is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/<pid>/stat: "pid (name) state …"; Z is a process that has ended.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/**
 * Removes what changes cut short by a crash left in a library's folder: a half-written file, the
 * replaced or removed version of a document (the change itself was made: its rename is atomic).
 * Files of changes still under way in a live process stay.
 */
export async function removeLeftovers(docsDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(docsDir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match) continue;
    const pid = Number(match[2]);
    const underWay = pid === process.pid ? match[3] === RUN : isAlive(pid);
    if (!underWay) await rm(path.join(docsDir, name), { force: true });
  }
}
