import { readFile } from "node:fs/promises";
import path from "node:path";
import type { SourceDocument } from "../documents/load.js";

/**
 * Bumped whenever the layout of a persisted index changes (4: document ids keep their extension,
 * chunks are stored as JSON lines, and chunks carry their format and headings; 2 and 3 were used
 * for some of these changes alone; 5: the BM25 index is lexical.bin, typed arrays, no longer
 * MiniSearch's JSON).
 */
export const INDEX_VERSION = 5;
export const MANIFEST_FILE = "manifest.json";

export interface IndexSettings {
  embeddings: { provider: string; model: string; dimensions: number };
  splitter: { kind: string; version?: number; chunkSize: number; chunkOverlap: number };
}

export interface ManifestDocument {
  id: string;
  source: string;
  title: string;
  date?: string;
  hash: string;
  chunks: number;
}

export interface Manifest extends IndexSettings {
  version: number;
  builtAt: string;
  buildMs: number;
  chunks: number;
  documents: ManifestDocument[];
}

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

/** Why the persisted index cannot serve these documents and settings, or undefined when it can. */
export function staleReason(
  manifest: Manifest | undefined,
  settings: IndexSettings,
  documents: Pick<SourceDocument, "id" | "hash">[],
): string | undefined {
  if (!manifest) return "no index yet";
  if (manifest.version !== INDEX_VERSION) return `index format ${manifest.version} is outdated`;
  if (JSON.stringify(manifest.embeddings) !== JSON.stringify(settings.embeddings)) {
    return "the embedding provider or model changed";
  }
  if (JSON.stringify(manifest.splitter) !== JSON.stringify(settings.splitter)) {
    return "the chunk settings changed";
  }
  const indexed = new Map(manifest.documents.map((doc) => [doc.id, doc.hash]));
  if (
    indexed.size !== documents.length ||
    documents.some((doc) => indexed.get(doc.id) !== doc.hash)
  ) {
    return "the documents changed";
  }
  return undefined;
}

export interface DocumentChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

export function compareDocuments(
  before: ManifestDocument[],
  after: ManifestDocument[],
): DocumentChanges {
  const old = new Map(before.map((doc) => [doc.id, doc]));
  const now = new Map(after.map((doc) => [doc.id, doc]));
  return {
    added: after.filter((doc) => !old.has(doc.id)).map((doc) => doc.source),
    changed: after
      .filter((doc) => old.has(doc.id) && old.get(doc.id)?.hash !== doc.hash)
      .map((doc) => doc.source),
    removed: before.filter((doc) => !now.has(doc.id)).map((doc) => doc.source),
  };
}
