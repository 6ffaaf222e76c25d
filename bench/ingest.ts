import type { CoreConfig } from "../src/config.js";
import type { EmbeddingsChoice } from "../src/embeddings/index.js";
import { KnowledgeBase } from "../src/knowledgeBase.js";
import { phase } from "./progress.js";

export interface Ingestion {
  documents: number;
  chunks: number;
  /** Milliseconds of each phase of the build, from the core's own progress reports. */
  ms: { splitAndEmbed: number; index: number; persist: number; total: number };
}

/**
 * Builds the index as `npm run index` and the bot do (KnowledgeBase.open), timing its phases by
 * the moments the core reports them: documents read, split and embedded (the HNSW graph grows on
 * its own thread meanwhile), then BM25 built, the chunks written and the graph finished and
 * written; what follows is making the new index current.
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
        splitAndEmbed: at.embed - started,
        index: at.index - at.embed,
        persist: ended - at.index,
        total: ended - started,
      },
    },
  };
}
