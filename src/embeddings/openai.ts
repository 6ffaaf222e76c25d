import { OpenAIClient, OpenAIEmbeddings } from "@langchain/openai";
import { abortable } from "../abortable.js";
import { EmbeddingsUnavailableError } from "./errors.js";

export { EmbeddingsUnavailableError };

/**
 * OpenAI-compatible embeddings with one bound on each call, retries included, as the chat model
 * has: the client's own timeout is per try (10 minutes by default, then retries), which would let
 * a question outlive its Discord interaction and a reload hold its lock for half an hour.
 */
export class BoundedOpenAIEmbeddings extends OpenAIEmbeddings {
  constructor(
    fields: ConstructorParameters<typeof OpenAIEmbeddings>[0],
    private readonly timeoutMs: number,
  ) {
    // Each try is bounded too, so that a stalled request is closed rather than left open.
    super({ ...fields, timeout: timeoutMs });
  }

  override embedDocuments(texts: string[]): Promise<number[][]> {
    return this.bounded(() => super.embedDocuments(texts));
  }

  override embedQuery(text: string): Promise<number[]> {
    return this.bounded(() => super.embedQuery(text));
  }

  private async bounded<T>(call: () => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      return await abortable(call(), signal);
    } catch (error) {
      throw new EmbeddingsUnavailableError(this.failure(error, signal), { cause: error });
    }
  }

  private failure(error: unknown, signal: AbortSignal): string {
    const service = "The embedding service (EMBEDDINGS=openai)";
    if (signal.aborted) {
      return `${service} did not answer within ${this.timeoutMs / 1000} s (LLM_TIMEOUT_MS).`;
    }
    if (error instanceof OpenAIClient.APIConnectionError) return `${service} could not be reached.`;
    if (error instanceof OpenAIClient.APIError) return `${service} answered HTTP ${error.status}.`;
    return `${service} failed: ${(error as Error).message}`;
  }
}
