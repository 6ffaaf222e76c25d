import { randomBytes } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";

// Files of a change under way: dot files, which the documents loader never reads, named with the
// process that makes the change.
const TEMPORARY = /^\.(adding|replaced|removing)-(\d+)-/;

export function temporaryName(kind: "adding" | "replaced" | "removing", name: string): string {
  return `.${kind}-${process.pid}-${randomBytes(4).toString("hex")}-${name}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
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
    if (match && !isAlive(Number(match[2]))) await rm(path.join(docsDir, name), { force: true });
  }
}
