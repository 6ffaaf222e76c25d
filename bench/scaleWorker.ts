import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SynchronousInMemoryDocstore } from "@langchain/community/stores/doc/in_memory";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import hnswlib from "hnswlib-node";
import { ExtractiveAnswerer } from "../src/answer/extractive.js";
import { LocalEmbeddings } from "../src/embeddings/local.js";
import { INDEX_VERSION } from "../src/index/manifest.js";
import { type Chunk, type Index, SEARCH_EF } from "../src/index/store.js";
import { logger } from "../src/logger.js";
import { CANDIDATES, HybridRetriever, type RetrievedChunk } from "../src/retrieval/hybrid.js";
import { LexicalIndex } from "../src/retrieval/lexical.js";
import { serveOnce } from "./child.js";
import { compareWithExact, type ExactComparison } from "./exact.js";
import { phase } from "./progress.js";
import { pick, seeded } from "./seeded.js";
import { type Latency, latency, MB, peakRssMB } from "./stats.js";

export type VectorKind = "corpus-like" | "uniform";

export interface ScaleInput {
  n: number;
  seed: number;
  kind: VectorKind;
  /** Chunk texts of the README corpus, which the corpus-like chunks are drawn from. */
  sources: string[];
  /** Questions answered at this scale; their embeddings also query HNSW against exact search. */
  questions: string[];
  topK: number;
}

export interface ScaleOutput {
  n: number;
  kind: VectorKind;
  buildMs: { vectors: number; hnsw: number; bm25: number };
  /**
   * What the index costs: growth of the JavaScript heap (chunks, metadata, BM25) once it is
   * built, the HNSW graph and vectors outside it (the size hnswlib writes), and the growth of the
   * process's resident memory, which also holds what the garbage collector has not given back.
   */
  memory: { heapMB: number; hnswMB: number; rssMB: number };
  answering?: { answerMs: Latency; vectorSearchMs: Latency; bm25Ms: Latency; answered: number };
  /** HNSW against exact search, queried by generated vectors not in the index (the usual way of
   * measuring an ANN index) and by the questions (what the bot is asked). */
  exact: { heldOut: ExactComparison; questions?: ExactComparison };
  /** Peak resident memory of the process, before the sizes below were taken. */
  peakRssMB: number;
  /** Sizes of what the core would persist (JSON.stringify, as HNSWLib.save and LexicalIndex do). */
  persisted: { docstoreJson: string; lexicalJson: string };
}

if (!process.env.LOG_LEVEL) logger.level = "warn";

const DIMENSIONS = 100;
const BATCH = 1000;
const HELD_OUT = 200;

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/**
 * A chunk of corpus-like text: as many words as a random corpus chunk, drawn from its words and
 * a second chunk's in a random proportion, so that a million chunks spread over the space between
 * the corpus's topics instead of piling up on them.
 */
function corpusLikeText(random: () => number, sources: string[][]): string {
  const first = pick(random, sources);
  const second = pick(random, sources);
  const share = random();
  return Array.from(first, () => pick(random, random() < share ? first : second)).join(" ");
}

/** A point drawn uniformly from the unit sphere: no structure at all, the hardest case for HNSW. */
function uniformVector(random: () => number): number[] {
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const vector = Array.from({ length: DIMENSIONS }, gaussian);
  const norm = Math.hypot(...vector);
  return vector.map((x) => x / norm);
}

async function fileMB(file: string): Promise<number> {
  return (await stat(file)).size / MB;
}

function jsonSize(make: () => { length: number }): string {
  try {
    return `${(make().length / MB).toFixed(1)} MB`;
  } catch (error) {
    return `fails: ${(error as Error).message}`;
  }
}

async function timedEach<T>(items: T[], fn: (item: T) => Promise<unknown> | unknown) {
  const ms: number[] = [];
  for (const item of items) {
    const started = performance.now();
    await fn(item);
    ms.push(performance.now() - started);
  }
  return latency(ms);
}

/**
 * One point of the scaling run, in a process of its own: n generated chunks indexed as the core
 * indexes them (HNSW with LangChain's HNSWLib construction and the core's search breadth, BM25
 * with the core's LexicalIndex), then the answer path and HNSW against exact search over them.
 */
serveOnce<ScaleInput, ScaleOutput>(async ({ n, seed, kind, sources, questions, topK }) => {
  const random = seeded(seed);
  const embeddings = await LocalEmbeddings.create();
  const extractive = await ExtractiveAnswerer.create();
  const sourceWords = sources.map((text) => text.split(/\s+/).filter(Boolean));
  gc();
  const before = process.memoryUsage();

  // As HNSWLib.addVectors creates it: hnswlib's defaults (M 16, efConstruction 200).
  const vectors = new hnswlib.HierarchicalNSW("cosine", DIMENSIONS);
  vectors.initIndex(n);
  const docs = new Map<string, Chunk>();
  const buildMs = { vectors: 0, hnsw: 0, bm25: 0 };
  const bar = phase(`${kind} ${n.toLocaleString("en")}: HNSW`, n);
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    let started = performance.now();
    let batch: number[][];
    if (kind === "uniform") batch = Array.from({ length: count }, () => uniformVector(random));
    else {
      const texts = Array.from({ length: count }, () => corpusLikeText(random, sourceWords));
      batch = await embeddings.embedDocuments(texts);
      texts.forEach((text, i) => {
        const id = `generated/${start + i}`;
        const metadata = { id: `${id}#1`, documentId: id, title: id, source: `${id}.txt` };
        docs.set(
          String(start + i),
          new Document({
            pageContent: text,
            metadata: { ...metadata, chunk: 1, start: 0, end: text.length },
          }),
        );
      });
    }
    buildMs.vectors += performance.now() - started;
    started = performance.now();
    for (const [i, vector] of batch.entries()) vectors.addPoint(vector, start + i);
    buildMs.hnsw += performance.now() - started;
    bar.update(start + count);
  }
  bar.stop();
  vectors.setEf(SEARCH_EF);

  let lexical: LexicalIndex | undefined;
  if (kind === "corpus-like") {
    const bm25 = phase(`${kind} ${n.toLocaleString("en")}: BM25`, 1);
    const started = performance.now();
    lexical = await LexicalIndex.build(
      Array.from(docs, ([id, chunk]) => ({ id, text: chunk.pageContent })),
    );
    buildMs.bm25 = performance.now() - started;
    bm25.stop();
  }
  gc();
  const after = process.memoryUsage();

  const dir = await mkdtemp(path.join(os.tmpdir(), "docs-qa-scale-"));
  await vectors.writeIndex(path.join(dir, "hnswlib.index"));
  const hnswFileMB = await fileMB(path.join(dir, "hnswlib.index"));
  await rm(dir, { recursive: true, force: true });

  let answering: ScaleOutput["answering"];
  let questionQueries: number[][] | undefined;
  if (lexical) {
    const store = new HNSWLib(embeddings, {
      space: "cosine",
      numDimensions: DIMENSIONS,
      index: vectors,
      docstore: new SynchronousInMemoryDocstore(docs),
    });
    const index: Index = {
      manifest: {
        version: INDEX_VERSION,
        embeddings: { provider: "local", model: LocalEmbeddings.model, dimensions: DIMENSIONS },
        splitter: { kind: "generated", chunkSize: 0, chunkOverlap: 0 },
        builtAt: new Date().toISOString(),
        buildMs: 0,
        chunks: n,
        documents: [],
      },
      vectors: store,
      lexical,
    };
    // The steps of answerQuestion, over this index instead of a KnowledgeBase's.
    const retriever = new HybridRetriever(index, topK);
    let asked = 0;
    let answered = 0;
    const answerBar = phase(`${kind} ${n.toLocaleString("en")}: answering`, questions.length);
    const answerMs = await timedEach(questions, async (question) => {
      const chunks = (await retriever.invoke(question)) as RetrievedChunk[];
      if (extractive.answer(question, chunks).answered) answered++;
      answerBar.update(++asked);
    });
    answerBar.stop();
    questionQueries = await embeddings.embedDocuments(questions);
    const vectorSearchMs = await timedEach(questionQueries, (query) =>
      vectors.searchKnn(query, CANDIDATES),
    );
    const bm25Ms = await timedEach(questions, (question) => lexical.query(question, CANDIDATES));
    answering = { answerMs, vectorSearchMs, bm25Ms, answered };
  }
  const heldOut =
    kind === "uniform"
      ? Array.from({ length: HELD_OUT }, () => uniformVector(random))
      : await embeddings.embedDocuments(
          Array.from({ length: HELD_OUT }, () => corpusLikeText(random, sourceWords)),
        );

  const exact = {
    heldOut: await compareWithExact(vectors, heldOut, embeddings),
    ...(questionQueries
      ? { questions: await compareWithExact(vectors, questionQueries, embeddings) }
      : {}),
  };
  const peak = peakRssMB();
  // Last, as it takes memory of its own: what the core's save would have to write.
  const persisted = {
    docstoreJson: kind === "uniform" ? "-" : jsonSize(() => JSON.stringify(Array.from(docs))),
    lexicalJson: lexical ? jsonSize(() => lexical.toBuffer()) : "-",
  };
  return {
    n,
    kind,
    buildMs,
    memory: {
      heapMB: (after.heapUsed - before.heapUsed) / MB,
      hnswMB: hnswFileMB,
      rssMB: (after.rss - before.rss) / MB,
    },
    answering,
    exact,
    peakRssMB: peak,
    persisted,
  };
});
