import type { Assistant } from "../assistant.js";
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

/** The one function that answers a question: retrieve, then answer only from what was retrieved. */
export async function answerQuestion(assistant: Assistant, raw: string): Promise<Answer> {
  const started = performance.now();
  const question = validateQuestion(raw);
  const chunks = await assistant.knowledgeBase.retrieve(question);
  const result = assistant.extractive.answer(question, chunks);
  const ms = Math.round((performance.now() - started) * 10) / 10;
  return { question, ...result, mode: "extractive", ms };
}
