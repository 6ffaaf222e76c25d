import type { CoreConfig } from "../config.js";
import { removeLeftovers } from "../documents/leftovers.js";
import { loadDocuments, type SkippedFile, type SourceDocument } from "../documents/load.js";
import type { EmbeddingsChoice } from "../embeddings/index.js";
import { logger } from "../logger.js";
import { HybridRetriever, type RetrievedChunk } from "../retrieval/hybrid.js";
import { type BuildJob, type BuildOutcome, inspectIndex, runBuild, updateIndex } from "./build.js";
import { NoDocumentsError } from "./errors.js";
import { type Library, libraryFolders } from "./library.js";
import type { Manifest } from "./manifest.js";
import { PostgresLibraryStore } from "./postgres/store.js";
import { type Index, loadIndex, type Progress, readCurrentManifest } from "./store.js";

/** One library's index at one moment: what questions are answered from until the next swap. */
export interface LibraryIndex {
  readonly library: Library;
  readonly manifest: Manifest;
  /** The library's files that could not be used, with why. */
  readonly skipped: SkippedFile[];
  /** The chunks of this library most relevant to the query, best first. */
  search(query: string): Promise<RetrievedChunk[]>;
}

export interface Opened {
  /** Undefined for a server's library that holds no document (yet, or any more). */
  index: LibraryIndex | undefined;
  outcome: BuildOutcome;
}

/**
 * What a change made from Discord did to a library's documents (`/document add|remove`), for a
 * store that keeps such documents itself rather than only in this machine's folder.
 */
export interface DocumentChange {
  /** A document saved to the library's folder: its file name there and its text as written. */
  added?: { source: string; content: string };
  /** A document removed: its file name in the library's folder (the file may be elsewhere). */
  removed?: string;
}

/**
 * Where libraries' documents are indexed and searched, by library. Disk (below) today; a
 * PostgreSQL store keyed by the same library ids implements the same methods.
 */
export interface LibraryStore {
  /**
   * Loads the library's persisted index when it matches its documents and settings, and builds
   * it otherwise. The shared library without documents throws NoDocumentsError; a server's
   * library without documents opens as undefined.
   */
  open(library: Library, options?: { onProgress?: Progress; rebuild?: boolean }): Promise<Opened>;
  /**
   * Re-reads the library's documents and builds its index anew, swapping it in only when
   * complete; another build of the same library under way fails it with ReloadInProgressError.
   */
  rebuild(library: Library, onProgress?: Progress, change?: DocumentChange): Promise<Opened>;
  /**
   * Whether the store keeps the documents added from Discord itself (a database), so that a
   * library may hold one this machine's folder lacks; else the folder is all there is.
   */
  readonly keepsDocuments: boolean;
  /**
   * The library's documents as the store has them, read anew: its folder's, and in a store that
   * keeps documents itself, the ones added from Discord that this machine's folder lacks.
   */
  documents(library: Library): Promise<SourceDocument[]>;
  /** The library's current persisted index when it is newer than builtAt (built by another shard). */
  refresh(library: Library, builtAt: string | undefined): Promise<LibraryIndex | undefined>;
  /**
   * The chunks of these libraries most relevant to the query, best first, fused by reciprocal
   * rank and marked with the library they come from.
   */
  search(query: string, indexes: LibraryIndex[]): Promise<RetrievedChunk[]>;
  /** Lets go of what the store holds open (a database's connections). */
  close(): Promise<void>;
}

// Reciprocal rank fusion of the libraries' rankings (Cormack et al., 2009), as within one index.
const RRF_K = 60;

/**
 * Libraries in folders: documents under the library's docs folder, the index beside it (see
 * libraryFolders), built in a worker thread, swapped in atomically (store.ts).
 */
export class DiskLibraryStore implements LibraryStore {
  readonly keepsDocuments = false;

  constructor(
    private readonly config: CoreConfig,
    private readonly choice: EmbeddingsChoice,
    /** Whether builds run on this thread, with embeddings the caller gave, or in a worker. */
    private readonly ownEmbeddings: boolean,
  ) {}

  private job(library: Library, fields: Pick<BuildJob, "wait" | "force">): BuildJob {
    return { ...libraryFolders(this.config, library), config: this.config, ...fields };
  }

  async open(
    library: Library,
    options: { onProgress?: Progress; rebuild?: boolean } = {},
  ): Promise<Opened> {
    // What a change cut short by a crash left behind is removed before the documents are read.
    await removeLeftovers(libraryFolders(this.config, library).docsDir);
    const job = this.job(library, {
      wait: true,
      ...(options.rebuild ? { force: "rebuild requested" } : {}),
    });
    try {
      // The usual start: the index on disk was built from these documents, and is only loaded.
      // Reading the documents to tell is quick; building is the work that goes to the worker.
      let previous: Manifest | undefined;
      if (!job.force) {
        const state = await inspectIndex(job, this.choice);
        previous = state.previous;
        if (!state.reason) {
          logSkipped(state.skipped);
          try {
            const index = await this.load(library, state.skipped);
            return { index, outcome: { previous, skipped: state.skipped } };
          } catch (error) {
            logger.warn({ err: error, dir: job.indexDir }, "index unreadable; rebuilding it");
            job.force = "the index on disk could not be read";
          }
        }
      }
      const outcome = await this.build(job, options.onProgress);
      outcome.previous ??= previous;
      return { index: await this.load(library, outcome.skipped, outcome.index), outcome };
    } catch (error) {
      if (library.kind === "guild" && error instanceof NoDocumentsError)
        return { index: undefined, outcome: { skipped: [] } };
      throw error;
    }
  }

  /** The folder is the library: what a change did is in it already. */
  async rebuild(library: Library, onProgress?: Progress): Promise<Opened> {
    const job = this.job(library, { wait: false, force: "reload" });
    try {
      const outcome = await this.build(job, onProgress);
      return { index: await this.load(library, outcome.skipped, outcome.index), outcome };
    } catch (error) {
      if (library.kind === "guild" && error instanceof NoDocumentsError)
        return { index: undefined, outcome: { skipped: [] } };
      throw error;
    }
  }

  async documents(library: Library): Promise<SourceDocument[]> {
    const { docsDir } = libraryFolders(this.config, library);
    return (await loadDocuments(docsDir, this.config.MAX_DOCUMENT_BYTES)).documents;
  }

  async refresh(library: Library, builtAt: string | undefined): Promise<LibraryIndex | undefined> {
    const { docsDir, indexDir } = libraryFolders(this.config, library);
    const current = await readCurrentManifest(indexDir);
    if (!current || current.builtAt === builtAt) return undefined;
    const { skipped } = await loadDocuments(docsDir, this.config.MAX_DOCUMENT_BYTES);
    return this.load(library, skipped);
  }

  async search(query: string, indexes: LibraryIndex[]): Promise<RetrievedChunk[]> {
    const rankings = await Promise.all(
      indexes.map(async (index) => tagged(index, await index.search(query))),
    );
    const found = rankings.filter((ranking) => ranking.length > 0);
    if (found.length <= 1) return found[0] ?? [];
    const k = Math.max(...found.map((ranking) => ranking.length));
    const fused = found.flatMap((ranking) =>
      ranking.map((chunk, rank) => ({ chunk, score: 1 / (RRF_K + rank + 1) })),
    );
    // Equal ranks are ordered by how well each scored within its own library.
    return fused
      .sort((a, b) => b.score - a.score || b.chunk.metadata.score - a.chunk.metadata.score)
      .slice(0, k)
      .map((entry) => entry.chunk);
  }

  async close(): Promise<void> {}

  /** The library's current index: the one just built on this thread, or read from its folder. */
  private async load(
    library: Library,
    skipped: SkippedFile[],
    built?: Index,
  ): Promise<LibraryIndex> {
    const { indexDir } = libraryFolders(this.config, library);
    const index = built ?? (await loadIndex(indexDir, this.choice.embeddings));
    return diskIndex(library, index, skipped, this.config.TOP_K);
  }

  /**
   * The one place that chooses where a build runs: in a worker thread (the configured
   * embeddings), or on this thread when the caller gave its own embeddings (they cannot cross to
   * a worker).
   */
  private async build(job: BuildJob, onProgress?: Progress): Promise<BuildOutcome> {
    const outcome = this.ownEmbeddings
      ? await updateIndex(job, this.choice, onProgress)
      : await runBuild(job, onProgress);
    logSkipped(outcome.skipped);
    return outcome;
  }
}

function diskIndex(
  library: Library,
  index: Index,
  skipped: SkippedFile[],
  k: number,
): LibraryIndex {
  const retriever = new HybridRetriever(index, k);
  return {
    library,
    manifest: index.manifest,
    skipped,
    search: (query) => retriever.invoke(query) as Promise<RetrievedChunk[]>,
  };
}

/**
 * The library's chunks, marked with the library they come from. A server's document ids are
 * prefixed, so that a file named as a shared one stays a document of its own.
 */
function tagged(index: LibraryIndex, chunks: RetrievedChunk[]): RetrievedChunk[] {
  const { kind } = index.library;
  for (const chunk of chunks) {
    chunk.metadata.library = kind;
    if (kind === "guild") chunk.metadata.documentId = `server:${chunk.metadata.documentId}`;
  }
  return chunks;
}

function logSkipped(skipped: SkippedFile[]): void {
  for (const file of skipped)
    logger.warn({ file: file.source, reason: file.reason }, "document skipped");
}

/**
 * The one place that chooses where libraries are kept (STORE). `reset` drops a database's vectors
 * to embed every document anew (`npm run index -- --rebuild`); a local rebuild does that anyway.
 */
export function createLibraryStore(
  config: CoreConfig,
  choice: EmbeddingsChoice,
  ownEmbeddings: boolean,
  reset = false,
): LibraryStore {
  return config.STORE === "postgres"
    ? new PostgresLibraryStore(config, choice, ownEmbeddings, reset)
    : new DiskLibraryStore(config, choice, ownEmbeddings);
}
