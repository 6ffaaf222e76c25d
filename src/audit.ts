import { appendFile, mkdir, open } from "node:fs/promises";
import path from "node:path";

/** One change to a library, as a line of DATA_DIR/audit.jsonl. */
export interface AuditEntry {
  time: string;
  /** The server the change was made from. */
  guildId: string | null;
  userId: string;
  userName: string;
  action: "add" | "remove" | "reload";
  /** The document's file name as saved (or the URL or attachment asked for, when refused). */
  document?: string;
  scope: "server" | "shared";
  outcome: "done" | "unchanged" | "refused" | "failed";
  error?: string;
}

const AUDIT_FILE = "audit.jsonl";
// How much of the end of the log /docs reads for a server's last changes: thousands of lines.
const TAIL_BYTES = 512 * 1024;

export function auditPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), AUDIT_FILE);
}

/**
 * Appends a change to the audit log. One write of one line, opened for appending: lines of
 * changes made at once (or by several shards) never interleave.
 */
export async function recordChange(
  dataDir: string,
  entry: Omit<AuditEntry, "time">,
): Promise<void> {
  const file = auditPath(dataDir);
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}

/** The last changes made from a server, newest first. */
export async function lastChanges(
  dataDir: string,
  guildId: string,
  count: number,
): Promise<AuditEntry[]> {
  let text: string;
  try {
    const file = await open(auditPath(dataDir), "r");
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const { buffer, bytesRead } = await file.read(
        Buffer.alloc(size - start),
        0,
        size - start,
        start,
      );
      text = buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await file.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: AuditEntry[] = [];
  for (const line of text.split("\n").reverse()) {
    if (entries.length >= count) break;
    try {
      const entry = JSON.parse(line) as AuditEntry;
      if (entry.guildId === guildId) entries.push(entry);
    } catch {
      // An empty line, or the first one cut by the tail: not an entry.
    }
  }
  return entries;
}
