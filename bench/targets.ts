import type { ExactComparison } from "./exact.js";

export interface Target {
  name: string;
  goal: string;
  value: string;
  met: boolean | null;
}

export interface Measured {
  askP95Ms: number;
  loadMs: number;
  botPeakRssMB: number;
  ingestionMBps: number;
  /** The build of one 5 MB .txt's index (split, embed, HNSW + BM25), as its manifest records it. */
  largeDocumentMs: number;
  /** HNSW against exact search at 100k vectors, when the scaling run was made. */
  at100k?: { heldOut: ExactComparison; questions?: ExactComparison };
}

function target(name: string, goal: string, value: number | undefined, unit: string, met: boolean) {
  return {
    name,
    goal,
    value: value === undefined ? "run --scale" : `${value}${unit}`,
    met: value === undefined ? null : met,
  };
}

/** The targets, each with the measured value and whether it holds (null: not measured). */
export function checkTargets(m: Measured): Target[] {
  const { heldOut, questions } = m.at100k ?? {};
  return [
    target("ask path p95 (README corpus)", "<= 30 ms", m.askP95Ms, " ms", m.askP95Ms <= 30),
    target("load persisted index + word vectors", "<= 1000 ms", m.loadMs, " ms", m.loadMs <= 1000),
    target(
      "peak RSS of the bot process",
      "<= 400 MB",
      m.botPeakRssMB,
      " MB",
      m.botPeakRssMB <= 400,
    ),
    target(
      "HNSW recall@10, 100k, held-out vectors",
      ">= 0.98",
      heldOut?.recall,
      "",
      (heldOut?.recall ?? 0) >= 0.98,
    ),
    target(
      "HNSW recall@10, 100k, questions",
      ">= 0.98",
      questions?.recall,
      "",
      (questions?.recall ?? 0) >= 0.98,
    ),
    target(
      "HNSW speed-up, 100k, vs native scan",
      ">= 10x",
      heldOut?.speedup,
      "x",
      (heldOut?.speedup ?? 0) >= 10,
    ),
    target(
      "HNSW speed-up, 100k, vs MemoryVectorStore",
      ">= 10x",
      heldOut?.memoryStore.speedup,
      "x",
      (heldOut?.memoryStore.speedup ?? 0) >= 10,
    ),
    target(
      "ingestion, local embeddings",
      ">= 1 MB/s",
      m.ingestionMBps,
      " MB/s",
      m.ingestionMBps >= 1,
    ),
    target(
      "one 5 MB .txt: index build (split, embed, HNSW + BM25)",
      "<= 5000 ms",
      m.largeDocumentMs,
      " ms",
      m.largeDocumentMs <= 5000,
    ),
  ];
}
