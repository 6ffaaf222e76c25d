import type { Embeddings } from "@langchain/core/embeddings";
import { type CoreConfig, openAIEndpoint } from "../config.js";
import { LocalEmbeddings } from "./local.js";

export interface EmbeddingsChoice {
  embeddings: Embeddings;
  provider: string;
  model: string;
}

/**
 * The embedding provider chosen by EMBEDDINGS. The OpenAI client is imported only when chosen: it
 * takes half a second to load, which the command line would pay for every question.
 */
export async function createEmbeddings(config: CoreConfig): Promise<EmbeddingsChoice> {
  switch (config.EMBEDDINGS) {
    case "local":
      return {
        embeddings: await LocalEmbeddings.create(),
        provider: "local",
        model: LocalEmbeddings.model,
      };
    case "openai": {
      const { BoundedOpenAIEmbeddings } = await import("./openai.js");
      return {
        embeddings: new BoundedOpenAIEmbeddings(
          { ...openAIEndpoint(config), model: config.EMBEDDINGS_MODEL },
          config.LLM_TIMEOUT_MS,
        ),
        provider: "openai",
        model: config.EMBEDDINGS_MODEL,
      };
    }
  }
}
