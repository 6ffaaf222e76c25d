import type { CoreConfig } from "../src/config.js";
import type { EmbeddingsChoice } from "../src/embeddings/index.js";
import { KnowledgeBase } from "../src/knowledgeBase.js";
import { phase } from "./progress.js";

export interface Ingestion {
  documents: number;
  chunks: number;
  /** Milliseconds of each phase of the build, from the core's own progress reports. */
  ms: { readAndSplit: number; embed: number; index: number; persist: number; total: number };
}

/**
 * Builds the index as `npm run index` and the bot do (KnowledgeBase.open), timing its phases by
 * the moments the core reports them: documents read and split, chunks embedded, HNSW and BM25
 * built; what follows is writing the index to disk.
 */
export async function ingest(
  config: CoreConfig,
  embeddings: EmbeddingsChoice,
): Promise<{ knowledgeBase: KnowledgeBase; ingestion: Ingestion }> {
  const bar = phase("building the index", 1);
  const at = { split: 0, embed: 0, index: 0 };
  const started = performance.now();
  const { knowledgeBase, report } = await KnowledgeBase.open(config, {
    embeddings,
    rebuild: true,
    onProgress: (step, done, total) => {
      at[step] = performance.now();
      bar.update(done, total);
    },
  });
  const ended = performance.now();
  bar.stop();
  return {
    knowledgeBase,
    ingestion: {
      documents: report.documents,
      chunks: report.chunks,
      ms: {
        readAndSplit: at.split - started,
        embed: at.embed - at.split,
        index: at.index - at.embed,
        persist: ended - at.index,
        total: ended - started,
      },
    },
  };
}
