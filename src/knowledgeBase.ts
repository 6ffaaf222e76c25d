import type { CoreConfig } from "./config.js";
import type { SkippedFile, SourceDocument } from "./documents/load.js";
import { createEmbeddings, type EmbeddingsChoice } from "./embeddings/index.js";
import type { BuildOutcome } from "./index/build.js";
import { ReloadInProgressError } from "./index/errors.js";
import { type Library, librariesFor, libraryId, SHARED } from "./index/library.js";
import {
  createLibraryStore,
  type DocumentChange,
  type LibraryIndex,
  type LibraryStore,
  type Opened,
} from "./index/libraryStore.js";
import { compareDocuments, type DocumentChanges, type Manifest } from "./index/manifest.js";
import type { Progress } from "./index/store.js";
import { logger } from "./logger.js";
import type { RetrievedChunk } from "./retrieval/hybrid.js";

export { NoDocumentsError, ReloadInProgressError } from "./index/errors.js";
export { guildLibrary, type Library, SHARED } from "./index/library.js";

export interface BuildReport extends DocumentChanges {
  /** Why the index was (re)built, or undefined when the persisted one was loaded. */
  rebuilt?: string;
  documents: number;
  chunks: number;
  skipped: SkippedFile[];
  ms: number;
}

/**
 * A change made to a library's files: how to take it back, how to finish it once built, and what
 * it added or removed (for a store that keeps documents itself).
 */
export interface Applied extends DocumentChange {
  undo?: () => Promise<void>;
  commit?: () => Promise<void>;
}

/** Where a question is asked: in a server (its library and the shared one) or not (shared only). */
export interface Scope {
  guildId?: string | null;
}

/**
 * The libraries, their indexes and the retrieval over them. A library is a parameter: the shared
 * library is opened at once (every question uses it), a server's on the first question or change
 * in that server, so that a shard loads only the servers it serves. Each library's current index
 * serves until a reload has built its new one, then is swapped for it.
 */
export class KnowledgeBase {
  private readonly indexes = new Map<string, Promise<LibraryIndex | undefined>>();
  private readonly reloading = new Map<string, Promise<BuildReport>>();
  /** Per library, the last change or reload asked: the next one runs after it. */
  private readonly queues = new Map<string, Promise<void>>();
  private refreshing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: LibraryStore,
    private shared: LibraryIndex,
    private readonly choice: EmbeddingsChoice,
  ) {
    this.indexes.set(libraryId(SHARED), Promise.resolve(shared));
  }

  /** Loads the shared library's persisted index when it matches its documents, builds it otherwise. */
  static async open(
    config: CoreConfig,
    options: {
      embeddings?: EmbeddingsChoice;
      onProgress?: Progress;
      rebuild?: boolean;
      /** Embed every library's documents anew (a database's too): after a change of embeddings. */
      reset?: boolean;
    } = {},
  ): Promise<{ knowledgeBase: KnowledgeBase; report: BuildReport }> {
    const started = performance.now();
    const choice = options.embeddings ?? (await createEmbeddings(config));
    const store = createLibraryStore(
      config,
      choice,
      options.embeddings !== undefined,
      options.reset,
    );
    let opened: Opened;
    try {
      opened = await store.open(SHARED, options);
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
    if (!opened.index) throw new Error("the shared library did not open");
    const knowledgeBase = new KnowledgeBase(store, opened.index, choice);
    return { knowledgeBase, report: report(opened, started) };
  }

  /** The shared library's manifest. */
  get manifest(): Manifest {
    return this.shared.manifest;
  }

  /** The shared library's files that could not be used. */
  get skipped(): SkippedFile[] {
    return this.shared.skipped;
  }

  /** Vectors of texts in the index's embedding space (to tell questions asked in other words). */
  embed(texts: string[]): Promise<number[][]> {
    return this.choice.embeddings.embedDocuments(texts);
  }

  /** A library's current index, opened on first use; undefined when it holds no document. */
  library(library: Library): Promise<LibraryIndex | undefined> {
    const id = libraryId(library);
    let index = this.indexes.get(id);
    if (!index) {
      index = this.store.open(library).then(({ index: opened }) => opened);
      // A failure is not remembered: the next question tries again.
      index.catch(() => this.indexes.delete(id));
      this.indexes.set(id, index);
    }
    return index;
  }

  /**
   * The chunks most relevant to the question, best first: from the shared library, and in a
   * server from its library too, fused by reciprocal rank. Never from another server's.
   */
  async retrieve(question: string, scope: Scope = {}): Promise<RetrievedChunk[]> {
    const indexes = await Promise.all(librariesFor(scope.guildId).map((lib) => this.library(lib)));
    return this.store.search(
      question,
      indexes.filter((index): index is LibraryIndex => index !== undefined),
    );
  }

  /** Lets go of the store's connections (STORE=postgres); for a process that is stopping. */
  close(): Promise<void> {
    return this.store.close();
  }

  /**
   * A library's documents as its store has them, read anew (a database's include the ones added
   * from Discord on other machines).
   */
  documents(library: Library): Promise<SourceDocument[]> {
    return this.store.documents(library);
  }

  /**
   * Whether the store keeps documents added from Discord itself (STORE=postgres): a library may
   * then hold a document this machine's folder lacks.
   */
  get keepsDocuments(): boolean {
    return this.store.keepsDocuments;
  }

  /** Whether any library's reload is under way. */
  get isReloading(): boolean {
    return this.reloading.size > 0;
  }

  /**
   * Re-reads a library's documents (the shared one by default) and rebuilds its index; the old
   * one serves until the new one is ready, and the other libraries are left alone. One reload at
   * a time per library, across processes: another fails with ReloadInProgressError.
   */
  reload(onProgress?: Progress, library: Library = SHARED): Promise<BuildReport> {
    const id = libraryId(library);
    if (this.reloading.has(id)) return Promise.reject(new ReloadInProgressError());
    const reloading = this.change(library, async () => ({}), onProgress)
      .then((report) => report as BuildReport)
      .finally(() => {
        this.reloading.delete(id);
      });
    this.reloading.set(id, reloading);
    return reloading;
  }

  /**
   * Changes a library's documents and rebuilds its index, after the changes and reloads of that
   * library asked before (one after another, so that each build sees the documents the one before
   * left). `apply` changes the files and says how to undo that; when the build fails, the change
   * is undone and the old index keeps serving.
   */
  change(
    library: Library,
    apply: () => Promise<Applied | undefined>,
    onProgress?: Progress,
  ): Promise<BuildReport | undefined> {
    const id = libraryId(library);
    const run = (this.queues.get(id) ?? Promise.resolve()).then(async () => {
      const started = performance.now();
      const previous = (await this.library(library))?.manifest;
      const applied = await apply();
      // Nothing to change (the document is there already): no build.
      if (!applied) return undefined;
      const { undo, commit, added, removed } = applied;
      let opened: Opened;
      try {
        opened = await this.store.rebuild(library, onProgress, { added, removed });
      } catch (error) {
        await undo?.();
        throw error;
      }
      this.swap(library, opened.index);
      await commit?.();
      return report(
        {
          ...opened,
          outcome: { ...opened.outcome, previous: opened.outcome.previous ?? previous },
        },
        started,
      );
    });
    const settled = run.then(
      () => {},
      () => {},
    );
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return run;
  }

  /**
   * Loads the shared library's current index from disk when another process (another shard) has
   * built a newer one than the one in memory: it is loaded, not rebuilt, and questions are answered
   * from the old one until it is. Refreshes run one after another, so that the last one leaves the
   * current index. (A server's library changes only on the shard that serves that server.)
   */
  refresh(): Promise<Manifest> {
    const refreshed = this.refreshing.then(async () => {
      const newer = await this.store.refresh(SHARED, this.shared.manifest.builtAt);
      if (newer) this.swap(SHARED, newer);
      return this.shared.manifest;
    });
    this.refreshing = refreshed.catch(() => {});
    return refreshed;
  }

  private swap(library: Library, index: LibraryIndex | undefined): void {
    if (library.kind === "shared") {
      if (!index) throw new Error("the shared library has no index");
      this.shared = index;
    }
    this.indexes.set(libraryId(library), Promise.resolve(index));
  }
}

function report({ index, outcome }: Opened, started: number): BuildReport {
  const { previous, rebuilt, skipped }: BuildOutcome = outcome;
  const documents = index?.manifest.documents ?? [];
  const changes =
    rebuilt || !index
      ? compareDocuments(previous?.documents ?? [], documents)
      : { added: [], changed: [], removed: [] };
  const built: BuildReport = {
    ...changes,
    ...(rebuilt ? { rebuilt } : {}),
    documents: documents.length,
    chunks: index?.manifest.chunks ?? 0,
    skipped,
    ms: Math.round(performance.now() - started),
  };
  if (rebuilt) logger.debug({ ...built, skipped: skipped.length }, "library built");
  return built;
}
