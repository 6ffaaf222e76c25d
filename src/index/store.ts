import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { SynchronousInMemoryDocstore } from "@langchain/community/stores/doc/in_memory";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import hnswlib from "hnswlib-node";
import { storyWords } from "../answer/units.js";
import type { SourceDocument } from "../documents/load.js";
import { LexicalIndex } from "../retrieval/lexical.js";
import { GraphBuilder } from "./graph.js";
import {
  INDEX_VERSION,
  type IndexSettings,
  MANIFEST_FILE,
  type Manifest,
  readManifest,
} from "./manifest.js";
import {
  type ChunkSpan,
  SentenceTextSplitter,
  splitMarkdown,
  splitWithOffsets,
} from "./splitter.js";

export interface ChunkMetadata {
  /** `${documentId}#${chunk}` */
  id: string;
  documentId: string;
  title: string;
  date?: string;
  source: string;
  chunk: number;
  start: number;
  end: number;
  /** How the document is written ("markdown" is read by its structure when answering). */
  format?: "text" | "markdown";
  /** Markdown: the headings above the chunk, outermost first. */
  headings?: string[];
  /** Markdown: the header row or lead-in of a list or table the chunk starts inside. */
  lead?: string;
  /** Words the chunk stands for without writing them (a news byline: "reported", "published"). */
  about?: string;
}

/**
 * What is indexed for a chunk: its text with the headings, lead-in and byline words above it. For
 * the keyword index, every heading (the title too: it tells documents apart); for the embedding,
 * only the nearest heading, since a title repeated in every chunk would pull them all together.
 */
export function contextualText(
  chunk: Chunk,
  purpose: "keywords" | "embedding" = "keywords",
): string {
  const { headings = [], lead, about } = chunk.metadata;
  const above = purpose === "keywords" ? headings : headings.slice(-1);
  return [...above, ...(lead ? [lead] : []), ...(about ? [about] : []), chunk.pageContent].join(
    "\n",
  );
}

export type Chunk = Document<ChunkMetadata>;

/** A loaded index: the HNSW vectors with their chunks, the BM25 index, and what it was built from. */
export interface Index {
  manifest: Manifest;
  vectors: HNSWLib;
  lexical: LexicalIndex;
}

export type Progress = (phase: "split" | "embed" | "index", done: number, total: number) => void;

const CURRENT = "current";
const BUILDS = "builds";
const LEXICAL_FILE = "lexical.bin";
const VECTORS_FILE = "hnswlib.index";
// One chunk per line, in label order: a chunk is parsed from its line when first retrieved.
const CHUNKS_FILE = "chunks.jsonl";
const BATCH = 256;
// hnswlib's search breadth; its default (10) loses recall once k nears it.
export const SEARCH_EF = 128;

export async function splitDocuments(
  documents: SourceDocument[],
  settings: IndexSettings,
): Promise<Chunk[]> {
  const splitter = new SentenceTextSplitter(settings.splitter);
  const chunks: Chunk[] = [];
  for (const doc of documents) {
    const spans: ChunkSpan[] =
      doc.format === "markdown"
        ? splitMarkdown(doc.text, settings.splitter.chunkSize)
        : await splitWithOffsets(splitter, doc.text);
    await yieldToEventLoop();
    spans.forEach((span, n) => {
      // A news story's first chunk is also searched by what its byline, headline and caption mean.
      const about = n === 0 && doc.format === "text" ? storyWords(span.text) : undefined;
      const metadata: ChunkMetadata = {
        id: `${doc.id}#${n + 1}`,
        documentId: doc.id,
        title: doc.title,
        ...(doc.date ? { date: doc.date } : {}),
        source: doc.source,
        chunk: n + 1,
        start: span.start,
        end: span.end,
        format: doc.format,
        ...(span.headings?.length ? { headings: span.headings } : {}),
        ...(span.lead ? { lead: span.lead } : {}),
        ...(about ? { about } : {}),
      };
      chunks.push(new Document({ pageContent: span.text, metadata }));
    });
  }
  return chunks;
}

/** A document's chunks and their embeddings, ready to be written to a store. */
export interface PreparedDocument {
  chunks: Chunk[];
  vectors: number[][];
}

/** Splits a document and embeds its chunks in batches, as a build does. */
export async function prepareDocument(
  doc: SourceDocument,
  embeddings: EmbeddingsInterface,
  settings: IndexSettings,
): Promise<PreparedDocument> {
  const chunks = await splitDocuments([doc], settings);
  const vectors: number[][] = [];
  for (let i = 0; i < chunks.length; i += BATCH) {
    const batch = chunks.slice(i, i + BATCH).map((chunk) => contextualText(chunk, "embedding"));
    vectors.push(...(await embeddings.embedDocuments(batch)));
    await yieldToEventLoop();
  }
  return { chunks, vectors };
}

/**
 * Builds an index of the documents in a fresh folder and only then makes it current, by
 * renaming a symlink: a failure at any point leaves the previous index in place.
 */
export async function buildIndex(
  indexDir: string,
  documents: SourceDocument[],
  embeddings: EmbeddingsInterface,
  settings: IndexSettings,
  onProgress: Progress = () => {},
  /** Also open the index built, from what is in memory (the graph is read from its file). */
  open = false,
): Promise<{ manifest: Manifest; index?: Index }> {
  const started = performance.now();
  // The graph grows on its own thread as each batch is embedded, while this one goes on splitting.
  const graph = new GraphBuilder(settings.embeddings.dimensions);
  const name = `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const buildDir = path.join(indexDir, BUILDS, name);
  try {
    // Embedded in batches across documents (a bounded request to an embedding service), with a
    // turn of the event loop between them for a build on a thread that also does other work.
    const chunks: Chunk[] = [];
    let embedded = 0;
    const embedUpTo = async (end: number) => {
      while (embedded < end) {
        const batch = chunks.slice(embedded, Math.min(embedded + BATCH, end));
        graph.add(
          await embeddings.embedDocuments(batch.map((chunk) => contextualText(chunk, "embedding"))),
        );
        embedded += batch.length;
        await yieldToEventLoop();
      }
    };
    for (const [n, doc] of documents.entries()) {
      chunks.push(...(await splitDocuments([doc], settings)));
      await embedUpTo(chunks.length - (chunks.length % BATCH));
      onProgress("split", n + 1, documents.length);
    }
    await embedUpTo(chunks.length);
    onProgress("embed", chunks.length, chunks.length);

    // The chunks are written while the keyword index is built (the file system works meanwhile).
    await mkdir(buildDir, { recursive: true });
    const lines = chunks.map((chunk) => JSON.stringify(chunk));
    const writes = [writeFile(path.join(buildDir, CHUNKS_FILE), lines.join("\n"))];
    let lexical: LexicalIndex;
    try {
      // Lexical ids are the graph's labels, so one docstore serves both.
      lexical = await LexicalIndex.build(
        chunks.map((chunk, label) => ({ id: String(label), text: contextualText(chunk) })),
      );
      writes.push(
        writeFile(path.join(buildDir, LEXICAL_FILE), lexical.toBuffer()),
        graph.write(path.join(buildDir, VECTORS_FILE)),
      );
    } finally {
      // Nothing is still being written when the folder is removed after a failure.
      await allSettled(writes);
    }
    onProgress("index", chunks.length, chunks.length);
    const manifest = describeBuild(documents, chunks, settings, started);
    await writeFile(path.join(buildDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    await makeCurrent(indexDir, name);
    if (!open) return { manifest };
    const current = path.join(indexDir, CURRENT);
    return { manifest, index: await openIndex(current, manifest, embeddings, lines, lexical) };
  } catch (error) {
    // Nothing half-written stays behind (the previous index is still current).
    await graph.close();
    await rm(buildDir, { recursive: true, force: true });
    throw error;
  }
}

/** Waits for every promise, then fails with the first failure, if any. */
async function allSettled(promises: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find(
    (result) => result.status === "rejected",
  );
  if (failed) throw failed.reason;
}

function describeBuild(
  documents: SourceDocument[],
  chunks: Chunk[],
  settings: IndexSettings,
  started: number,
): Manifest {
  const chunksPerDocument = new Map<string, number>();
  for (const { metadata } of chunks) {
    chunksPerDocument.set(
      metadata.documentId,
      (chunksPerDocument.get(metadata.documentId) ?? 0) + 1,
    );
  }
  return {
    version: INDEX_VERSION,
    ...settings,
    builtAt: new Date().toISOString(),
    buildMs: Math.round(performance.now() - started),
    chunks: chunks.length,
    documents: documents.map((doc) => ({
      id: doc.id,
      source: doc.source,
      title: doc.title,
      ...(doc.date ? { date: doc.date } : {}),
      hash: doc.hash,
      chunks: chunksPerDocument.get(doc.id) ?? 0,
    })),
  };
}

/**
 * The chunks of a loaded index, by label, each parsed from its line of chunks.jsonl when a search
 * first returns it: parsing them all took as long as the rest of opening an index, and a question
 * reads a dozen.
 */
class ChunkLines extends SynchronousInMemoryDocstore {
  constructor(private readonly lines: string[]) {
    super();
  }

  override search(label: string): Document {
    let chunk = this._docs.get(label);
    if (!chunk) {
      const line = this.lines[Number(label)];
      if (line === undefined) throw new Error(`no chunk with label ${label}`);
      const { pageContent, metadata } = JSON.parse(line) as Chunk;
      chunk = new Document({ pageContent, metadata });
      this._docs.set(label, chunk);
    }
    return chunk;
  }
}

async function makeCurrent(indexDir: string, name: string): Promise<void> {
  const link = path.join(indexDir, CURRENT);
  const temporary = `${link}.${name}.tmp`;
  await symlink(path.join(BUILDS, name), temporary);
  // `current` is a folder when DATA_DIR was copied with its links followed (`cp -rL`): a symlink
  // cannot be renamed over it, so the folder is moved aside first, and removed once replaced.
  const aside = `${link}.${name}.old`;
  const isFolder = await lstat(link).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  try {
    if (isFolder) await rename(link, aside);
    await rename(temporary, link);
  } finally {
    await rm(temporary, { force: true });
  }
  if (isFolder) await rm(aside, { recursive: true, force: true });
  // Builds started before this one are no longer current, or were left by a crash; a build
  // started later may still be under way in another process, so it stays.
  const builds = await readdir(path.join(indexDir, BUILDS));
  const startedAt = (build: string) => Number.parseInt(build, 10);
  await Promise.all(
    builds
      .filter((build) => startedAt(build) < startedAt(name))
      .map((build) => rm(path.join(indexDir, BUILDS, build), { recursive: true, force: true })),
  );
}

/**
 * The current index's folder, or undefined when none was built, or when `current` is not the
 * link this code makes (a copied folder, say): then it is rebuilt, and replaced by a link.
 */
export async function currentIndexDir(indexDir: string): Promise<string | undefined> {
  try {
    return path.resolve(indexDir, await readlink(path.join(indexDir, CURRENT)));
  } catch {
    return undefined;
  }
}

export async function readCurrentManifest(indexDir: string): Promise<Manifest | undefined> {
  const dir = await currentIndexDir(indexDir);
  return dir ? readManifest(dir) : undefined;
}

/** Loads the current index; throws when it is missing or unreadable. */
export async function loadIndex(indexDir: string, embeddings: EmbeddingsInterface): Promise<Index> {
  const dir = await currentIndexDir(indexDir);
  const manifest = dir ? await readManifest(dir) : undefined;
  if (!dir || !manifest) throw new Error(`no index in ${indexDir}`);
  return openIndex(dir, manifest, embeddings);
}

/**
 * The index in dir, with its chunks' lines and keyword index read from their files, unless the
 * build that wrote them gives them (they are the same).
 */
async function openIndex(
  dir: string,
  manifest: Manifest,
  embeddings: EmbeddingsInterface,
  chunkLines?: string[],
  built?: LexicalIndex,
): Promise<Index> {
  const graph = new hnswlib.HierarchicalNSW("cosine", manifest.embeddings.dimensions);
  await graph.readIndex(path.join(dir, VECTORS_FILE));
  if (graph.getCurrentCount() !== manifest.chunks) throw new Error("index and manifest disagree");
  graph.setEf(SEARCH_EF);
  const lines = chunkLines ?? (await readFile(path.join(dir, CHUNKS_FILE), "utf8")).split("\n");
  if (lines.length !== manifest.chunks) throw new Error("chunks and manifest disagree");
  const vectors = new HNSWLib(embeddings, {
    space: "cosine",
    numDimensions: manifest.embeddings.dimensions,
    index: graph,
    docstore: new ChunkLines(lines),
  });
  const lexical = built ?? (await LexicalIndex.load(await readFile(path.join(dir, LEXICAL_FILE))));
  return { manifest, vectors, lexical };
}
