import type { Embeddings } from "@langchain/core/embeddings";
import { OpenAIEmbeddings } from "@langchain/openai";
import { type CoreConfig, openAIEndpoint } from "../config.js";
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
    case "openai":
      return {
        embeddings: new OpenAIEmbeddings({
          ...openAIEndpoint(config),
          model: config.EMBEDDINGS_MODEL,
        }),
        provider: "openai",
        model: config.EMBEDDINGS_MODEL,
      };
  }
}
