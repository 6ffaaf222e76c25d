import type { Assistant } from "../assistant.js";
import { logger } from "../logger.js";
import type { RetrievedChunk } from "../retrieval/hybrid.js";
import { documentName, namedDocuments, namePattern } from "./extractive.js";
import { ModelAnswerError, type OnPartial } from "./modelErrors.js";
import { searchQuery } from "./query.js";
import type { Answer } from "./types.js";

export const QUESTION_MIN = 3;
export const QUESTION_MAX = 500;

export class QuestionError extends Error {}

/** Trims a question and checks its length; throws a QuestionError that says what to change. */
export function validateQuestion(raw: string): string {
  const question = raw.replace(/\s+/g, " ").trim();
  if (question.length < QUESTION_MIN) {
    throw new QuestionError(
      `The question is too short: ask in at least ${QUESTION_MIN} characters.`,
    );
  }
  if (question.length > QUESTION_MAX) {
    throw new QuestionError(
      `The question is too long (${question.length} characters): keep it under ${QUESTION_MAX}.`,
    );
  }
  return question;
}

export interface AnswerOptions {
  /** Streams the language model's answer as it grows; unused when the documents are quoted. */
  onPartial?: OnPartial;
  /** The server the question is asked in: its library is searched with the shared one. */
  guildId?: string | null;
  /**
   * The questions this one follows, earliest first ("Who sponsored the resolution?" before "When
   * was it adopted?"): the search looks for them too, so that a follow-up's "it" finds the same
   * document. The answer itself answers the question only.
   */
  previous?: string[];
}

/** How many earlier questions of a conversation the search takes into account. */
const PREVIOUS_MAX = 2;

/**
 * The one function that answers a question: retrieve, then answer only from what was retrieved,
 * with the language model when one is configured and the extractive answerer otherwise. The
 * extractive answerer decides whether the documents hold an answer (a refusal never reaches the
 * model) and stands in for the model whenever its answer cannot be used.
 */
export async function answerQuestion(
  assistant: Assistant,
  raw: string,
  options: AnswerOptions = {},
): Promise<Answer> {
  const started = performance.now();
  const question = validateQuestion(raw);
  const earlier = (options.previous ?? []).slice(-PREVIOUS_MAX);
  const query = searchQuery([...earlier, question].join(" "));
  const first = await assistant.knowledgeBase.retrieve(query, { guildId: options.guildId });
  const chunks = await withinNamed(assistant, question, query, first, options.guildId);
  const extractive = assistant.extractive.answer(question, chunks);
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  if (!assistant.model || !extractive.answered) {
    return { question, ...extractive, mode: "extractive", ms: elapsed() };
  }
  try {
    const generated = await assistant.model.answer(question, chunks, options.onPartial);
    return { question, answered: true, ...generated, mode: "llm", ms: elapsed() };
  } catch (error) {
    if (!(error instanceof ModelAnswerError)) throw error;
    logger.warn({ err: error.cause ?? error, question }, "model answer unusable; quoting instead");
    const fallback = `${error.message} This answer quotes the documents instead.`;
    return { question, ...extractive, mode: "extractive", fallback, ms: elapsed() };
  }
}

/**
 * "Does MiniSearch have any dependencies?": a question that names a document is answered from it,
 * and its name, written in most of that document's chunks, says nothing of which one answers. The
 * search is made again without the name, and that document's chunks it finds are added.
 */
async function withinNamed(
  assistant: Assistant,
  question: string,
  query: string,
  found: RetrievedChunk[],
  guildId: AnswerOptions["guildId"],
): Promise<RetrievedChunk[]> {
  const named = namedDocuments(question, found);
  if (named.size !== 1) return found;
  const [id] = named;
  const title = found.find((chunk) => chunk.metadata.documentId === id)?.metadata.title ?? "";
  const without = query
    .replace(namePattern(documentName(title), "giu"), " ")
    .replace(/\s+/g, " ")
    .trim();
  if (!/[\p{L}\p{N}]/u.test(without) || without === query) return found;
  const again = await assistant.knowledgeBase.retrieve(without, { guildId });
  const seen = new Set(found.map((chunk) => chunk.pageContent));
  const more = again.filter(
    (chunk) => chunk.metadata.documentId === id && !seen.has(chunk.pageContent),
  );
  return [...found, ...more];
}
