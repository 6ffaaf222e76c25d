import { ExtractiveAnswerer } from "./answer/extractive.js";
import type { ModelAnswerer } from "./answer/llm.js";
import type { CoreConfig } from "./config.js";
import type { EmbeddingsChoice } from "./embeddings/index.js";
import type { Progress } from "./index/store.js";
import { type BuildReport, KnowledgeBase } from "./knowledgeBase.js";

/** Everything needed to answer questions: the knowledge base and the answerers. */
export interface Assistant {
  config: CoreConfig;
  knowledgeBase: KnowledgeBase;
  extractive: ExtractiveAnswerer;
  /** The language model, when LLM_PROVIDER names one. */
  model?: ModelAnswerer;
}

export async function openAssistant(
  config: CoreConfig,
  options: { embeddings?: EmbeddingsChoice; onProgress?: Progress; rebuild?: boolean } = {},
): Promise<{ assistant: Assistant; report: BuildReport }> {
  const [{ knowledgeBase, report }, extractive] = await Promise.all([
    KnowledgeBase.open(config, options),
    ExtractiveAnswerer.create(),
  ]);
  // The model's client is imported only when LLM_PROVIDER names one (it takes half a second).
  const model =
    config.LLM_PROVIDER === "openai"
      ? (await import("./answer/llm.js")).ModelAnswerer.create(config)
      : undefined;
  return { assistant: { config, knowledgeBase, extractive, model }, report };
}
