import type { Embeddings } from "@langchain/core/embeddings";
import type { CoreConfig } from "../config.js";
import { LocalEmbeddings } from "./local.js";

export interface EmbeddingsChoice {
  embeddings: Embeddings;
  provider: string;
  model: string;
}

/** The embedding provider chosen by EMBEDDINGS. */
export async function createEmbeddings(config: CoreConfig): Promise<EmbeddingsChoice> {
  switch (config.EMBEDDINGS) {
    case "local":
      return {
        embeddings: await LocalEmbeddings.create(),
        provider: "local",
        model: LocalEmbeddings.model,
      };
    default:
      throw new Error(`EMBEDDINGS=${config.EMBEDDINGS} is not supported yet`);
  }
}
