import { MemoryVectorStore } from "@langchain/classic/vectorstores/memory";
import { Document } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import hnswlib, { type HierarchicalNSW } from "hnswlib-node";
import { type Latency, latency } from "./stats.js";

interface Found {
  /** Cosine distances of the k results. */
  distances: number[];
}

export interface ExactComparison {
  vectors: number;
  queries: number;
  k: number;
  /** The HNSW index's search breadth, as the bot sets it. */
  ef: number;
  /** Share of HNSW's top k that belong in the exact top k. */
  recall: number;
  hnswMs: Latency;
  /** hnswlib's brute-force index: a native scan with HNSW's own distance code. */
  exactMs: Latency;
  /** Mean exact (native) query time over mean HNSW query time. */
  speedup: number;
  /** LangChain's MemoryVectorStore, a scan in JavaScript, over the first queries only. */
  memoryStore: { queries: number; recall: number; ms: Latency; speedup: number };
  /** Recall and speed-up against the native scan at other search breadths. */
  sweep: { ef: number; recall: number; hnswMeanMs: number; speedup: number }[];
}

// As ann-benchmarks counts recall: a result no farther than the exact k-th plus this is a hit,
// since which of several equidistant vectors (a licence paragraph in many READMEs) fills the last
// places is arbitrary.
const EPSILON = 1e-3;
const SWEEP = [32, 64, 128, 256, 512];
// A JavaScript scan of a million vectors takes a good part of a second: fewer queries suffice.
const MEMORY_STORE_QUERIES = 50;

async function timeSearches<T>(search: (query: number[]) => Promise<T> | T, queries: number[][]) {
  const ms: number[] = [];
  const results: T[] = [];
  for (const query of queries) {
    const started = performance.now();
    results.push(await search(query));
    ms.push(performance.now() - started);
  }
  return { results, ms: latency(ms) };
}

function recall(found: Found[], truth: Found[], k: number): number {
  let hits = 0;
  found.forEach((result, q) => {
    const kth = Math.max(...truth[q].distances);
    hits += result.distances.filter((distance) => distance <= kth + EPSILON).length;
  });
  return hits / (found.length * Math.min(k, truth[0]?.distances.length ?? k));
}

const ratio = (slow: Latency, fast: Latency) => Math.round((slow.mean / fast.mean) * 10) / 10;

/**
 * The HNSW index against exact search over the same stored vectors: hnswlib's own brute-force
 * index (a native scan with the same distance code, so the ratio is HNSW's alone) and LangChain's
 * MemoryVectorStore (the exact store a LangChain program would otherwise use).
 */
export async function compareWithExact(
  index: HierarchicalNSW,
  queries: number[][],
  embeddings: EmbeddingsInterface,
  k = 10,
): Promise<ExactComparison> {
  const labels = index.getIdsList();
  const exact = new hnswlib.BruteforceSearch("cosine", index.getNumDimensions());
  exact.initIndex(labels.length);
  for (const label of labels) exact.addPoint(index.getPoint(label), label);

  // An untimed pass each, so neither side pays for first touches of memory.
  for (const query of queries.slice(0, 20)) {
    exact.searchKnn(query, k);
    index.searchKnn(query, k);
  }
  const truth = await timeSearches((query) => exact.searchKnn(query, k), queries);
  const hnsw = async () => {
    const found = await timeSearches((query) => index.searchKnn(query, k), queries);
    return { recall: recall(found.results, truth.results, k), ms: found.ms };
  };

  const ef = index.getEf();
  const sweep = [];
  for (const breadth of SWEEP) {
    index.setEf(breadth);
    const { recall, ms } = await hnsw();
    sweep.push({ ef: breadth, recall, hnswMeanMs: ms.mean, speedup: ratio(truth.ms, ms) });
  }
  index.setEf(ef);
  const atEf = await hnsw();

  const store = new MemoryVectorStore(embeddings);
  await store.addVectors(
    labels.map((label) => index.getPoint(label)),
    labels.map((label) => new Document({ pageContent: "", metadata: { label } })),
  );
  const some = queries.slice(0, MEMORY_STORE_QUERIES);
  const scanned = await timeSearches(async (query) => {
    const results = await store.similaritySearchVectorWithScore(query, k);
    return { distances: results.map(([, similarity]) => 1 - similarity) };
  }, some);

  return {
    vectors: labels.length,
    queries: queries.length,
    k,
    ef,
    recall: atEf.recall,
    hnswMs: atEf.ms,
    exactMs: truth.ms,
    speedup: ratio(truth.ms, atEf.ms),
    memoryStore: {
      queries: some.length,
      recall: recall(scanned.results, truth.results.slice(0, some.length), k),
      ms: scanned.ms,
      speedup: ratio(scanned.ms, atEf.ms),
    },
    sweep,
  };
}
