import type { CoreConfig } from "./config.js";
import { loadDocuments, type SkippedFile, type SourceDocument } from "./documents/load.js";
import { createEmbeddings, type EmbeddingsChoice } from "./embeddings/index.js";
import {
  compareDocuments,
  type DocumentChanges,
  type IndexSettings,
  type Manifest,
  staleReason,
} from "./index/manifest.js";
import {
  buildIndex,
  type Index,
  loadIndex,
  type Progress,
  readCurrentManifest,
} from "./index/store.js";
import { logger } from "./logger.js";
import { HybridRetriever, type RetrievedChunk } from "./retrieval/hybrid.js";

export class NoDocumentsError extends Error {
  constructor(docsDir: string, skipped: SkippedFile[]) {
    const reasons = skipped.map((file) => `\n  ${file.source}: ${file.reason}`).join("");
    super(
      `No usable document in ${docsDir}. Put .txt, .md or .html files there (UTF-8 text), then run \`npm run index\`.${reasons}`,
    );
  }
}

export class ReloadInProgressError extends Error {
  constructor() {
    super("A reload is already running; wait for it to finish.");
  }
}

export interface BuildReport extends DocumentChanges {
  /** Why the index was (re)built, or undefined when the persisted one was loaded. */
  rebuilt?: string;
  documents: number;
  chunks: number;
  skipped: SkippedFile[];
  ms: number;
}

interface Prepared {
  documents: SourceDocument[];
  skipped: SkippedFile[];
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
    private readonly settings: IndexSettings,
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
    const choice = options.embeddings ?? (await createEmbeddings(config));
    const settings = await indexSettings(config, choice);
    const started = performance.now();
    const { documents, skipped } = await prepare(config);
    const previous = await readCurrentManifest(config.indexDir);
    let reason = options.rebuild ? "rebuild requested" : staleReason(previous, settings, documents);
    let index: Index | undefined;
    if (!reason) {
      try {
        index = await loadIndex(config.indexDir, choice.embeddings);
      } catch (error) {
        reason = "the index on disk could not be read";
        logger.warn({ err: error, dir: config.indexDir }, "index unreadable; rebuilding it");
      }
    }
    index ??= await buildIndex(
      config.indexDir,
      documents,
      choice.embeddings,
      settings,
      options.onProgress,
    );
    const knowledgeBase = new KnowledgeBase(config, choice, settings, index, skipped);
    const report = knowledgeBase.report(previous, skipped, started, reason);
    return { knowledgeBase, report };
  }

  get manifest(): Manifest {
    return this.index.manifest;
  }

  /** The chunks most relevant to the question, best first. */
  retrieve(question: string): Promise<RetrievedChunk[]> {
    return this.retriever.invoke(question) as Promise<RetrievedChunk[]>;
  }

  get isReloading(): boolean {
    return this.reloading !== undefined;
  }

  /** Re-reads the documents and rebuilds the index; the old one serves until the new one is ready. */
  reload(onProgress?: Progress): Promise<BuildReport> {
    if (this.reloading) return Promise.reject(new ReloadInProgressError());
    this.reloading = (async () => {
      const started = performance.now();
      const { documents, skipped } = await prepare(this.config);
      const previous = this.index.manifest;
      const index = await buildIndex(
        this.config.indexDir,
        documents,
        this.choice.embeddings,
        this.settings,
        onProgress,
      );
      this.use(index, skipped);
      return this.report(previous, skipped, started, "reload");
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

  private report(
    previous: Manifest | undefined,
    skipped: SkippedFile[],
    started: number,
    rebuilt: string | undefined,
  ): BuildReport {
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

async function prepare(config: CoreConfig): Promise<Prepared> {
  const loaded = await loadDocuments(config.docsDir, config.MAX_DOCUMENT_BYTES);
  for (const file of loaded.skipped)
    logger.warn({ file: file.source, reason: file.reason }, "document skipped");
  if (loaded.documents.length === 0) throw new NoDocumentsError(config.docsDir, loaded.skipped);
  return loaded;
}

async function indexSettings(config: CoreConfig, choice: EmbeddingsChoice): Promise<IndexSettings> {
  const dimensions = (await choice.embeddings.embedQuery("dimensions")).length;
  return {
    embeddings: { provider: choice.provider, model: choice.model, dimensions },
    splitter: {
      kind: "sentences",
      chunkSize: config.CHUNK_SIZE,
      chunkOverlap: config.CHUNK_OVERLAP,
    },
  };
}
