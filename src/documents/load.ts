import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { extractMetadata, markdownHeading } from "./metadata.js";

export interface SourceDocument {
  /** Stable id: the path under the docs folder, with its extension ("a.txt" and "a.md" differ). */
  id: string;
  title: string;
  date?: string;
  /** File name relative to the docs folder. */
  source: string;
  /** The readable text that chunks and offsets refer to. */
  text: string;
  /** How the text is written: Markdown (also HTML, turned into Markdown) is cut by its structure. */
  format: "text" | "markdown";
  /** sha256 of the file's bytes. */
  hash: string;
}

export interface SkippedFile {
  source: string;
  reason: string;
}

export interface LoadResult {
  documents: SourceDocument[];
  skipped: SkippedFile[];
}

export const SUPPORTED_EXTENSIONS = [".txt", ".md", ".markdown", ".html", ".htm"];

class SkipError extends Error {}

// Files read at once: libuv has four threads for files; more would only queue.
const FILES_AT_ONCE = 8;

// A link could lead out of the docs folder (or loop), so it is listed as skipped, never followed.
const SYMLINK_REASON =
  "symbolic link, not followed: copy the file (or folder) into the docs folder instead";

/** The files under dir, and the entries that are not read, with why. */
async function listFiles(
  dir: string,
  root = dir,
): Promise<{ files: string[]; skipped: SkippedFile[] }> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink())
      skipped.push({ source: path.relative(root, full), reason: SYMLINK_REASON });
    else if (entry.isDirectory()) {
      const below = await listFiles(full, root);
      files.push(...below.files);
      skipped.push(...below.skipped);
    } else if (entry.isFile()) files.push(path.relative(root, full));
  }
  return { files, skipped };
}

function decode(bytes: Buffer): string {
  if (bytes.includes(0))
    throw new SkipError("binary file (contains NUL bytes); save it as plain text");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SkipError("not valid UTF-8 text; re-save the file with UTF-8 encoding");
  }
}

// Where a document added from Discord came from, on its first line (see documents/manage.ts):
// kept with the document, not read as part of it.
export const PROVENANCE = /^<!--[^\n]*-->\n+/;

/** A file's readable text, as it is indexed: HTML as Markdown, line ends and BOM normalized. */
export async function readable(
  raw: string,
  extension: string,
): Promise<{ text: string; heading?: string; format: SourceDocument["format"] }> {
  const normalized = raw
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(PROVENANCE, "");
  if (extension === ".html" || extension === ".htm") {
    // The HTML converter (a DOM) is loaded only where there is HTML to convert.
    const { htmlToMarkdown } = await import("./html.js");
    const { markdown, title } = htmlToMarkdown(normalized);
    return { text: markdown, heading: title, format: "markdown" };
  }
  if (extension === ".md" || extension === ".markdown") {
    return { text: normalized, heading: markdownHeading(normalized), format: "markdown" };
  }
  return { text: normalized, format: "text" };
}

/** A file's bytes, when its type is supported and its size within the limit. */
async function readDocumentFile(docsDir: string, source: string, maxBytes: number) {
  const extension = path.extname(source).toLowerCase();
  if (!SUPPORTED_EXTENSIONS.includes(extension)) {
    throw new SkipError(
      `unsupported file type "${extension || "(none)"}"; use ${SUPPORTED_EXTENSIONS.join(", ")}`,
    );
  }
  const full = path.join(docsDir, source);
  const { size } = await stat(full);
  if (size > maxBytes) {
    throw new SkipError(
      `too large (${size} bytes, limit ${maxBytes}); split it or raise MAX_DOCUMENT_BYTES`,
    );
  }
  const bytes = await readFile(full);
  return { bytes, id: documentId(source), hash: contentHash(bytes) };
}

async function loadDocument(docsDir: string, source: string, maxBytes: number) {
  const { bytes, hash } = await readDocumentFile(docsDir, source, maxBytes);
  return sourceDocument(source, decode(bytes), hash);
}

/** A document's id: its path under the docs folder, "/" between folders on every system. */
export function documentId(source: string): string {
  return source.split(path.sep).join("/");
}

/** The sha256 of a file's bytes: what tells whether a document changed. */
export function contentHash(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * A document from its file's name under the docs folder and its text as written (a file read
 * from a folder, or one a database keeps): the one way both become a document.
 */
export async function sourceDocument(
  source: string,
  raw: string,
  hash = contentHash(raw),
): Promise<SourceDocument> {
  const { text, heading, format } = await readable(raw, path.extname(source).toLowerCase());
  if (text.trim().length === 0) throw new SkipError("empty: the file has no text");
  return {
    id: documentId(source),
    source,
    text,
    format,
    hash,
    ...extractMetadata(text, source, heading),
  };
}

/** Each file's id and hash, and why a file is skipped, or the error that stops the reading. */
async function eachFile<T>(
  docsDir: string,
  read: (source: string) => Promise<T>,
): Promise<{ read: T[]; skipped: SkippedFile[] }> {
  let files: string[];
  let skipped: SkippedFile[];
  try {
    ({ files, skipped } = await listFiles(docsDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { read: [], skipped: [] };
    throw error;
  }
  const done: T[] = [];
  // A few files at a time: each is a few system calls on libuv's threads, which then overlap.
  for (let at = 0; at < files.length; at += FILES_AT_ONCE) {
    const batch = files.slice(at, at + FILES_AT_ONCE);
    const results = await Promise.allSettled(batch.map((source) => read(source)));
    results.forEach((result, i) => {
      if (result.status === "fulfilled") {
        done.push(result.value);
        return;
      }
      const error = result.reason;
      const reason =
        error instanceof SkipError
          ? error.message
          : `could not be read: ${(error as Error).message}`;
      skipped.push({ source: batch[i], reason });
    });
  }
  return { read: done, skipped };
}

/**
 * The documents' ids and content hashes, without turning them into text (HTML into Markdown, say):
 * enough to tell whether an index was built from them. A file that loadDocuments would skip for
 * its content (empty, not UTF-8) is listed here: such a file was never indexed, so an index then
 * looks stale, and loadDocuments tells the rest.
 */
export async function hashDocuments(
  docsDir: string,
  maxBytes: number,
): Promise<{ documents: { id: string; hash: string }[]; skipped: SkippedFile[] }> {
  const { read, skipped } = await eachFile(docsDir, async (source) => {
    const { id, hash } = await readDocumentFile(docsDir, source, maxBytes);
    return { id, hash };
  });
  return { documents: read, skipped };
}

/** Reads every document under docsDir; a file that cannot be used is skipped with its reason. */
export async function loadDocuments(docsDir: string, maxBytes: number): Promise<LoadResult> {
  const { read, skipped } = await eachFile(docsDir, (source) =>
    loadDocument(docsDir, source, maxBytes),
  );
  return { documents: read, skipped };
}
