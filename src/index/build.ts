import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CoreConfig } from "../config.js";
import { DocumentError, type ExtractedDocument, type RawDocument } from "../documents/extract.js";
import {
  hashDocuments,
  loadDocuments,
  type SkippedFile,
  type SourceDocument,
} from "../documents/load.js";
import { EmbeddingsUnavailableError } from "../embeddings/errors.js";
import { createEmbeddings, type EmbeddingsChoice } from "../embeddings/index.js";
import { NoDocumentsError, ReloadInProgressError } from "./errors.js";
import { lockIndex, releaseOwnLock } from "./lock.js";
import { type IndexSettings, type Manifest, staleReason } from "./manifest.js";
import {
  buildIndex,
  type Index,
  type PreparedDocument,
  type Progress,
  prepareDocument,
  readCurrentManifest,
} from "./store.js";

/** A document to split and embed in the build thread. */
export interface PrepareTask {
  config: CoreConfig;
  doc: SourceDocument;
  settings: IndexSettings;
}

/** Splits and embeds a document with the configured embeddings (in the build thread). */
export async function prepareTask({
  config,
  doc,
  settings,
}: PrepareTask): Promise<PreparedDocument> {
  const { embeddings } = await createEmbeddings(config);
  return prepareDocument(doc, embeddings, settings);
}

/** What to bring up to date: a documents folder, its index folder, and the settings. */
export interface BuildJob {
  docsDir: string;
  indexDir: string;
  config: CoreConfig;
  /** Build even when the index on disk is up to date, and why. */
  force?: string;
  /**
   * When another process is building this index: wait for it and use its build (opening), or
   * fail with ReloadInProgressError (a reload).
   */
  wait: boolean;
}

export interface BuildOutcome {
  /** Why a new index was built, or undefined when the one on disk serves. */
  rebuilt?: string;
  /**
   * The index built, opened from what the build holds in memory, when it was built on the
   * caller's thread (never sent from the worker): reading back what was just written took as
   * long as writing it.
   */
  index?: Index;
  /** The current index's manifest before this job. */
  previous?: Manifest;
  skipped: SkippedFile[];
}

/**
 * Bumped when the same settings cut documents differently, so that every store splits them again
 * (2: a chunk that starts inside a code block carries its opening fence; 3: a news story's first
 * chunk is also searched by the words of its headline and photo caption, and abbreviations such as
 * "chars" stem as the word they stand for, in the keyword index too).
 */
const SPLITTER_VERSION = 3;

export async function indexSettings(
  config: CoreConfig,
  choice: EmbeddingsChoice,
): Promise<IndexSettings> {
  const dimensions = (await choice.embeddings.embedQuery("dimensions")).length;
  return {
    embeddings: { provider: choice.provider, model: choice.model, dimensions },
    splitter: {
      kind: "sentences",
      version: SPLITTER_VERSION,
      chunkSize: config.CHUNK_SIZE,
      chunkOverlap: config.CHUNK_OVERLAP,
    },
  };
}

export interface IndexState {
  /** The documents read, when the index must be built; none when it serves. */
  documents: SourceDocument[];
  skipped: SkippedFile[];
  settings: IndexSettings;
  /** The current index's manifest. */
  previous?: Manifest;
  /** Why the index must be (re)built, or undefined when the one on disk serves. */
  reason?: string;
}

/** Reads the documents and tells whether the index on disk was built from them, with these settings. */
export async function inspectIndex(job: BuildJob, choice: EmbeddingsChoice): Promise<IndexState> {
  const settings = await indexSettings(job.config, choice);
  const previous = await readCurrentManifest(job.indexDir);
  // The usual start: the files are the ones indexed, as their hashes tell without reading them
  // as text (a web page's conversion, every document's metadata): nothing to build.
  if (!job.force && previous) {
    const files = await hashDocuments(job.docsDir, job.config.MAX_DOCUMENT_BYTES);
    if (files.documents.length > 0 && !staleReason(previous, settings, files.documents))
      return { documents: [], skipped: files.skipped, settings, previous };
  }
  const { documents, skipped } = await loadDocuments(job.docsDir, job.config.MAX_DOCUMENT_BYTES);
  if (documents.length === 0) throw new NoDocumentsError(job.docsDir, skipped);
  const reason = job.force ?? staleReason(previous, settings, documents);
  return { documents, skipped, settings, previous, reason };
}

/**
 * Reads the documents and, when the index on disk does not match them (or `force` says so),
 * builds a new one and makes it current, holding the index folder's lock meanwhile. Leaves the
 * loading to the caller. Runs in a worker (runBuild) or, given embeddings, on the caller's thread.
 */
export async function updateIndex(
  job: BuildJob,
  choice?: EmbeddingsChoice,
  onProgress: Progress = () => {},
): Promise<BuildOutcome> {
  const embeddings = choice ?? (await createEmbeddings(job.config));
  const { documents, skipped, settings, previous, reason } = await inspectIndex(job, embeddings);
  if (!reason) return { previous, skipped };

  const release = await lockIndex(job.indexDir, { wait: job.wait });
  try {
    // Another process may have built this very index while this one waited for the lock.
    if (!job.force && !staleReason(await readCurrentManifest(job.indexDir), settings, documents)) {
      return { previous, skipped };
    }
    const { index } = await buildIndex(
      job.indexDir,
      documents,
      embeddings.embeddings,
      settings,
      onProgress,
      choice !== undefined,
    );
    return { rebuilt: reason, previous, skipped, ...(index ? { index } : {}) };
  } finally {
    await release();
  }
}

type WorkerMessage = { id: number } & (
  | { progress: Parameters<Progress> }
  | { outcome: BuildOutcome }
  | { extracted: ExtractedDocument }
  | { prepared: PreparedDocument }
  | { error: { name: string; message: string; stack?: string } }
);

// `.ts` when running from the sources (tsx, vitest), `.js` once compiled.
const WORKER = new URL(
  `./buildWorker${path.extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);
const TS_WORKER = new URL("./tsWorker.mjs", import.meta.url);

/** Errors the callers tell apart, rebuilt with their class on this side of the worker. */
const KNOWN_ERRORS: Record<string, { prototype: Error }> = {
  NoDocumentsError,
  ReloadInProgressError,
  // A document that cannot be added: the moderator is told why.
  DocumentError,
  // A member is told the embedding service failed, rather than given an error id.
  EmbeddingsUnavailableError,
};

function revive({ name, message, stack }: { name: string; message: string; stack?: string }) {
  const error = new Error(message);
  error.name = name;
  if (stack) error.stack = stack;
  const known = KNOWN_ERRORS[name];
  return known ? Object.setPrototypeOf(error, known.prototype) : error;
}

interface Pending {
  /** The index folder a build holds the lock of; none for an extraction. */
  indexDir?: string;
  // biome-ignore lint/suspicious/noExplicitAny: a build's outcome or an extracted document
  resolve: (result: any) => void;
  reject: (error: Error) => void;
  onProgress: Progress;
}

/**
 * The build thread: started at the first build and kept (without keeping the process alive), as
 * starting one loads the libraries again (seconds). It holds no state between jobs but the
 * loaded modules and word vectors; when it dies, the jobs under way fail and the next starts one.
 */
let builder: { worker: Worker; pending: Map<number, Pending> } | undefined;
let nextJob = 0;

function startBuilder(): NonNullable<typeof builder> {
  // The sources are TypeScript under tsx and vitest alike: tsWorker.mjs loads them with tsx.
  const worker = WORKER.pathname.endsWith(".ts")
    ? new Worker(TS_WORKER, { workerData: { module: WORKER.href } })
    : new Worker(WORKER);
  worker.unref();
  const pending = new Map<number, Pending>();
  const started = { worker, pending };
  const fail = (error: Error) => {
    if (builder === started) builder = undefined;
    for (const job of pending.values()) {
      // The thread may have died holding the index folder's lock.
      void (job.indexDir ? releaseOwnLock(job.indexDir) : Promise.resolve())
        .catch(() => {})
        .finally(() => job.reject(error));
    }
    pending.clear();
  };
  worker.on("message", (message: WorkerMessage) => {
    const job = pending.get(message.id);
    if (!job) return;
    if ("progress" in message) return job.onProgress(...message.progress);
    pending.delete(message.id);
    if (pending.size === 0) worker.unref();
    if ("outcome" in message) job.resolve(message.outcome);
    else if ("extracted" in message) job.resolve(message.extracted);
    else if ("prepared" in message) job.resolve(message.prepared);
    else job.reject(revive(message.error));
  });
  worker.on("error", fail);
  worker.on("exit", (code) =>
    fail(new Error(`the index build stopped unexpectedly (exit code ${code})`)),
  );
  return started;
}

/**
 * Runs updateIndex in a worker thread: reading, splitting, embedding and indexing documents take
 * whole seconds of CPU, and on the bot's thread they would delay every interaction (Discord
 * gives 3 s to acknowledge one) and the gateway's heartbeats.
 */
export function runBuild(job: BuildJob, onProgress: Progress = () => {}): Promise<BuildOutcome> {
  return send({ job }, { indexDir: job.indexDir, onProgress });
}

/**
 * Splits and embeds one document in the build thread (for STORE=postgres): embedding takes CPU
 * that the bot's thread needs for interactions and heartbeats.
 */
export function runPrepare(
  config: CoreConfig,
  doc: SourceDocument,
  settings: IndexSettings,
): Promise<PreparedDocument> {
  return send({ prepare: { config, doc, settings } }, { onProgress: () => {} });
}

/**
 * Runs extractDocument in the build thread: reading a PDF or a large web page takes CPU that the
 * bot's thread needs for interactions and heartbeats.
 */
export function runExtract(raw: RawDocument): Promise<ExtractedDocument> {
  return send({ extract: raw }, { onProgress: () => {} });
}

function send<T>(
  task: { job: BuildJob } | { extract: RawDocument } | { prepare: PrepareTask },
  job: Pick<Pending, "indexDir" | "onProgress">,
): Promise<T> {
  builder ??= startBuilder();
  const { worker, pending } = builder;
  const id = nextJob++;
  return new Promise((resolve, reject) => {
    pending.set(id, { ...job, resolve, reject });
    // Kept alive while a job is under way, so that a process waiting for it does not exit.
    worker.ref();
    worker.postMessage({ id, ...task });
  });
}
