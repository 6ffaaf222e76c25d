export interface Source {
  /** The citation number used in the answer text: [n]. */
  n: number;
  title: string;
  /** The document's file name under the docs folder. */
  source: string;
  chunk: number;
  /** Retrieval score of the chunk (reciprocal rank fusion of vector and BM25 ranks). */
  score: number;
  /** The chunk's text. */
  text: string;
  /** The cited sentence(s), for a short quote. */
  quote: string;
  date?: string;
  /** The library the document belongs to: the shared documents or this server's own. */
  library?: "shared" | "guild";
}

export type AnswerMode = "extractive" | "llm";

export interface Answer {
  question: string;
  answer: string;
  /** False when the answer is a refusal: the documents do not hold the answer. */
  answered: boolean;
  sources: Source[];
  /** Which answerer's text this is: the language model's, or quotes of the documents. */
  mode: AnswerMode;
  /**
   * Set when the language model was asked but its answer could not be used, so the documents are
   * quoted instead: why, in a sentence or two for a footer.
   */
  fallback?: string;
  /**
   * Set when sentences of the language model's answer were left out because they failed the
   * check: how many and why, in a sentence for a footer.
   */
  note?: string;
  /** Milliseconds the answer took inside the process. */
  ms: number;
}

export const REFUSAL = "I couldn't find that in the documents.";
