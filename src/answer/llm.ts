import { ChatOpenAI, OpenAIClient } from "@langchain/openai";
import { abortable } from "../abortable.js";
import { type CoreConfig, openAIEndpoint } from "../config.js";
import type { RetrievedChunk } from "../retrieval/hybrid.js";
import {
  type CheckedAnswer,
  checkCitations,
  checkedPartial,
  RejectedAnswerError,
} from "./citations.js";
import { ModelAnswerError, type OnPartial } from "./modelErrors.js";
import { answerPrompt, promptInput } from "./prompt.js";
import { REFUSAL } from "./types.js";

export { ModelAnswerError, type OnPartial };

/**
 * Answers from the retrieved chunks with a chat model behind any OpenAI-compatible endpoint
 * (Chat Completions API), and shows nothing it cannot check: see checkCitations.
 */
export class ModelAnswerer {
  private readonly chain;

  constructor(
    model: ChatOpenAI,
    private readonly timeoutMs: number,
  ) {
    this.chain = answerPrompt.pipe(model);
  }

  static create(config: CoreConfig): ModelAnswerer {
    const model = new ChatOpenAI({
      ...openAIEndpoint(config),
      model: config.LLM_MODEL,
      timeout: config.LLM_TIMEOUT_MS,
      // Chat Completions, which every compatible server speaks, rather than the Responses API.
      useResponsesApi: false,
    });
    return new ModelAnswerer(model, config.LLM_TIMEOUT_MS);
  }

  /**
   * A cited answer from the chunks, streamed to onPartial when given. Throws a ModelAnswerError
   * when the model fails, takes longer than the timeout (retries included), or its answer fails
   * the check.
   */
  async answer(
    question: string,
    chunks: RetrievedChunk[],
    onPartial?: OnPartial,
  ): Promise<CheckedAnswer> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let text: string;
    try {
      text = await abortable(
        this.generate(
          promptInput(question, chunks),
          signal,
          onPartial && checkedPartials(chunks, onPartial),
        ),
        signal,
      );
    } catch (error) {
      throw new ModelAnswerError(this.failure(error, signal), { cause: error });
    }
    if (!text.trim()) throw new ModelAnswerError("The language model sent an empty answer.");
    if (text.includes(REFUSAL)) {
      throw new ModelAnswerError("The language model found no answer in the sources it was given.");
    }
    try {
      return checkCitations(text, chunks);
    } catch (error) {
      if (!(error instanceof RejectedAnswerError)) throw error;
      throw new ModelAnswerError(`The language model's answer ${error.message}.`);
    }
  }

  private async generate(
    input: ReturnType<typeof promptInput>,
    signal: AbortSignal,
    onPartial?: OnPartial,
  ): Promise<string> {
    if (!onPartial) return (await this.chain.invoke(input, { signal })).text;
    let text = "";
    for await (const chunk of await this.chain.stream(input, { signal })) {
      if (!chunk.text) continue;
      text += chunk.text;
      onPartial(text);
    }
    return text;
  }

  private failure(error: unknown, signal: AbortSignal): string {
    if (signal.aborted)
      return `The language model did not answer within ${this.timeoutMs / 1000} s.`;
    if (error instanceof OpenAIClient.APIConnectionError) {
      return "The language model's server could not be reached.";
    }
    if (error instanceof OpenAIClient.APIError) {
      return `The language model's server answered HTTP ${error.status}.`;
    }
    return "The language model's reply could not be read.";
  }
}

/** Passes on the checked part of each partial answer, when there is one and it has changed. */
function checkedPartials(chunks: RetrievedChunk[], onPartial: OnPartial): OnPartial {
  let shown = "";
  return (partial) => {
    const checked = checkedPartial(partial, chunks);
    if (!checked || checked === shown) return;
    shown = checked;
    onPartial(checked);
  };
}
