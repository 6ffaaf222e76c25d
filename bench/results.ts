import type { ExactComparison } from "./exact.js";
import type { Floors } from "./floors.js";
import type { LargeDocumentOutput } from "./largeDocument.js";
import type { Machine } from "./machine.js";
import type { PostgresFigures } from "./postgres.js";
import type { QuestionKind } from "./questions.js";
import type { ScaleOutput } from "./scaleWorker.js";
import type { Latency } from "./stats.js";
import type { Target } from "./targets.js";

type Rate = { MB: number; chunks: number };
type Startup = { wordVectors: number; index: number; total: number };

/** What bench/results.json holds. Megabytes are 10^6 bytes; times are milliseconds. */
export interface Results {
  machine: Machine;
  date: string;
  settings: {
    seed: number;
    CHUNK_SIZE: number;
    CHUNK_OVERLAP: number;
    TOP_K: number;
    embeddings: string;
    hnsw: { M: number; efConstruction: number; ef: number };
  };
  corpus: { documents: number; chunks: number; megabytes: number };
  ingestion: {
    ms: { splitAndEmbed: number; index: number; persist: number; total: number };
    perSecond: { splitAndEmbed: Rate; index: Rate; total: Rate };
  };
  /** A fresh process opening the assistant: from the persisted index, and with a full rebuild. */
  startup: { loadMs: Startup; rebuildMs: Startup };
  answering: {
    questions: number;
    latencyMs: Latency;
    byKind: Partial<Record<QuestionKind, { questions: number; answered: number }>>;
  };
  exact: ExactComparison;
  /** One 5 MB plain-text document, in a fresh process. */
  largeDocument: LargeDocumentOutput;
  memory: { botAfterOpenRssMB: number; botPeakRssMB: number; benchPeakRssMB: number };
  /** Command lines, the burst of /ask, and the floors the targets are compared with. */
  floors: Floors;
  targets: Target[];
  scale?: ScaleOutput[];
  /** STORE=postgres: PGlite, and a real PostgreSQL when DATABASE_URL was given. */
  postgres?: (PostgresFigures | { database: string; error: string })[];
}
