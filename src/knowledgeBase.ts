import type { CoreConfig } from "./config.js";
import { loadDocuments, type SkippedFile } from "./documents/load.js";
import { createEmbeddings, type EmbeddingsChoice } from "./embeddings/index.js";
import {
  type BuildJob,
  type BuildOutcome,
  inspectIndex,
  runBuild,
  updateIndex,
} from "./index/build.js";
import { ReloadInProgressError } from "./index/errors.js";
import { compareDocuments, type DocumentChanges, type Manifest } from "./index/manifest.js";
import { type Index, loadIndex, type Progress, readCurrentManifest } from "./index/store.js";
import { logger } from "./logger.js";
import { HybridRetriever, type RetrievedChunk } from "./retrieval/hybrid.js";

export { NoDocumentsError, ReloadInProgressError } from "./index/errors.js";

export interface BuildReport extends DocumentChanges {
  /** Why the index was (re)built, or undefined when the persisted one was loaded. */
  rebuilt?: string;
  documents: number;
  chunks: number;
  skipped: SkippedFile[];
  ms: number;
}

/**
 * The documents, their index and the retriever over it. Holds the current index; a reload builds
 * a new one beside it and swaps it in, while questions keep being answered from the old one.
 */
export class KnowledgeBase {
  private index!: Index;
  private retriever!: HybridRetriever;
  public skipped!: SkippedFile[];
  private reloading: Promise<BuildReport> | undefined;
  private refreshing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly config: CoreConfig,
    private readonly choice: EmbeddingsChoice,
    /** Whether builds run on this thread, with embeddings the caller gave, or in a worker. */
    private readonly ownEmbeddings: boolean,
    index: Index,
    skipped: SkippedFile[],
  ) {
    this.use(index, skipped);
  }

  /** Answers from this index from now on; the retriever is derived from it. */
  private use(index: Index, skipped: SkippedFile[]): void {
    this.index = index;
    this.retriever = new HybridRetriever(index, this.config.TOP_K);
    this.skipped = skipped;
  }

  /** Loads the persisted index when it matches the documents and settings, and builds it otherwise. */
  static async open(
    config: CoreConfig,
    options: { embeddings?: EmbeddingsChoice; onProgress?: Progress; rebuild?: boolean } = {},
  ): Promise<{ knowledgeBase: KnowledgeBase; report: BuildReport }> {
    const started = performance.now();
    const ownEmbeddings = options.embeddings !== undefined;
    const job: BuildJob = {
      docsDir: config.docsDir,
      indexDir: config.indexDir,
      config,
      wait: true,
      ...(options.rebuild ? { force: "rebuild requested" } : {}),
    };
    const choice = options.embeddings ?? (await createEmbeddings(config));
    // The usual start: the index on disk was built from these documents, and is only loaded.
    // Reading the documents to tell is quick; building is the work that goes to the worker.
    let index: Index | undefined;
    let previous: Manifest | undefined;
    let skipped: SkippedFile[] = [];
    if (!job.force) {
      const state = await inspectIndex(job, choice);
      ({ previous, skipped } = state);
      if (!state.reason) {
        logSkipped(skipped);
        try {
          index = await loadIndex(config.indexDir, choice.embeddings);
        } catch (error) {
          logger.warn({ err: error, dir: config.indexDir }, "index unreadable; rebuilding it");
          job.force = "the index on disk could not be read";
        }
      }
    }
    let rebuilt: string | undefined;
    if (!index) {
      const outcome = await build(job, options.embeddings, options.onProgress);
      ({ rebuilt, skipped } = outcome);
      previous ??= outcome.previous;
      index = await loadIndex(config.indexDir, choice.embeddings);
    }
    const knowledgeBase = new KnowledgeBase(config, choice, ownEmbeddings, index, skipped);
    const report = knowledgeBase.report({ previous, rebuilt, skipped }, started);
    return { knowledgeBase, report };
  }

  get manifest(): Manifest {
    return this.index.manifest;
  }

  /** Vectors of texts in the index's embedding space (to tell questions asked in other words). */
  embed(texts: string[]): Promise<number[][]> {
    return this.choice.embeddings.embedDocuments(texts);
  }

  /** The chunks most relevant to the question, best first. */
  retrieve(question: string): Promise<RetrievedChunk[]> {
    return this.retriever.invoke(question) as Promise<RetrievedChunk[]>;
  }

  get isReloading(): boolean {
    return this.reloading !== undefined;
  }

  /**
   * Re-reads the documents and rebuilds the index; the old one serves until the new one is ready.
   * One reload at a time per index folder, across processes: another one fails with
   * ReloadInProgressError.
   */
  reload(onProgress?: Progress): Promise<BuildReport> {
    if (this.reloading) return Promise.reject(new ReloadInProgressError());
    this.reloading = (async () => {
      const started = performance.now();
      const previous = this.index.manifest;
      const job: BuildJob = {
        docsDir: this.config.docsDir,
        indexDir: this.config.indexDir,
        config: this.config,
        force: "reload",
        wait: false,
      };
      const outcome = await build(job, this.ownEmbeddings ? this.choice : undefined, onProgress);
      const index = await loadIndex(this.config.indexDir, this.choice.embeddings);
      this.use(index, outcome.skipped);
      return this.report({ ...outcome, previous }, started);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  /**
   * Loads the current index from disk when another process (another shard) has built a newer one
   * than the one in memory: it is loaded, not rebuilt, and questions are answered from the old one
   * until it is. Refreshes run one after another, so that the last one leaves the current index.
   */
  refresh(): Promise<Manifest> {
    const refreshed = this.refreshing.then(() => this.loadCurrent());
    this.refreshing = refreshed.catch(() => {});
    return refreshed;
  }

  private async loadCurrent(): Promise<Manifest> {
    const current = await readCurrentManifest(this.config.indexDir);
    if (current?.builtAt === this.index.manifest.builtAt) return this.index.manifest;
    const [index, { skipped }] = await Promise.all([
      loadIndex(this.config.indexDir, this.choice.embeddings),
      loadDocuments(this.config.docsDir, this.config.MAX_DOCUMENT_BYTES),
    ]);
    this.use(index, skipped);
    return index.manifest;
  }

  private report({ previous, rebuilt, skipped }: BuildOutcome, started: number): BuildReport {
    const manifest = this.index.manifest;
    const changes = rebuilt
      ? compareDocuments(previous?.documents ?? [], manifest.documents)
      : { added: [], changed: [], removed: [] };
    return {
      ...changes,
      ...(rebuilt ? { rebuilt } : {}),
      documents: manifest.documents.length,
      chunks: manifest.chunks,
      skipped,
      ms: Math.round(performance.now() - started),
    };
  }
}

/**
 * The one place that chooses where a build runs: in a worker thread (the configured embeddings),
 * or on this thread when the caller gave its own embeddings (they cannot cross to a worker).
 */
async function build(
  job: BuildJob,
  embeddings: EmbeddingsChoice | undefined,
  onProgress?: Progress,
): Promise<BuildOutcome> {
  const outcome = embeddings
    ? await updateIndex(job, embeddings, onProgress)
    : await runBuild(job, onProgress);
  logSkipped(outcome.skipped);
  return outcome;
}

function logSkipped(skipped: SkippedFile[]): void {
  for (const file of skipped)
    logger.warn({ file: file.source, reason: file.reason }, "document skipped");
}
