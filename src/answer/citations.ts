import type { RetrievedChunk } from "../retrieval/hybrid.js";
import { sentenceSpans } from "../text/sentences.js";
import { contentWords, stem } from "../text/tokens.js";
import type { Source } from "./types.js";

/** Why a generated answer cannot be shown. */
export class RejectedAnswerError extends Error {}

/** [1], [2, 3] or [2; 3]. */
const CITATION = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;

interface Citation {
  /** Where the citation starts and ends in the text. */
  start: number;
  end: number;
  numbers: number[];
}

function citations(text: string): Citation[] {
  return Array.from(text.matchAll(CITATION), (match) => ({
    start: match.index,
    end: match.index + match[0].length,
    numbers: match[1].split(/[,;]/).map(Number),
  }));
}

/** The cited source numbers that were given (1..given), in the order they are first cited. */
function citedOrder(found: Citation[], given: number): number[] {
  const order: number[] = [];
  for (const n of found.flatMap((citation) => citation.numbers)) {
    if (n >= 1 && n <= given && !order.includes(n)) order.push(n);
  }
  return order;
}

function renumbered(text: string, order: number[]): string {
  return text.replace(CITATION, (whole, list: string) => {
    const numbers = list.split(/[,;]/).map(Number);
    if (numbers.some((n) => !order.includes(n))) return whole;
    return `[${numbers.map((n) => order.indexOf(n) + 1).join(", ")}]`;
  });
}

/**
 * A partial answer with its citations numbered as the checked answer will number them (by first
 * citation; the order cannot change as the text grows), so that a streamed reply keeps its numbers.
 */
export function renumberPartial(text: string, given: number): string {
  return renumbered(text, citedOrder(citations(text), given));
}

/**
 * Checks a generated answer against the chunks the model was given: it must cite at least one,
 * and only those. Returns the answer with its sources, numbered [1], [2]... as first cited.
 */
export function checkCitations(
  text: string,
  chunks: RetrievedChunk[],
): { answer: string; sources: Source[] } {
  const found = citations(text);
  const stray = found
    .flatMap((citation) => citation.numbers)
    .find((n) => n < 1 || n > chunks.length);
  if (stray !== undefined) {
    throw new RejectedAnswerError(
      `cited source [${stray}], but it was given only ${chunks.length}`,
    );
  }
  const order = citedOrder(found, chunks.length);
  if (order.length === 0) throw new RejectedAnswerError("cited none of the documents");
  const sources = order.map((given, i) => {
    const chunk = chunks[given - 1];
    const { metadata } = chunk;
    return {
      n: i + 1,
      title: metadata.title,
      source: metadata.source,
      chunk: metadata.chunk,
      score: metadata.score,
      text: chunk.pageContent,
      quote: closestSentence(chunk.pageContent, claimsCiting(text, found, given)),
      ...(metadata.date ? { date: metadata.date } : {}),
    };
  });
  return { answer: renumbered(text, order).trim(), sources };
}

/** The text before each citation of source n, back to the previous citation. */
function claimsCiting(text: string, found: Citation[], n: number): string {
  return found
    .map((citation, i) =>
      citation.numbers.includes(n) ? text.slice(found[i - 1]?.end ?? 0, citation.start) : "",
    )
    .join(" ");
}

/** The chunk's sentence sharing the most words with the claims, as the source's short quote. */
function closestSentence(chunkText: string, claims: string): string {
  const claimed = new Set(contentWords(claims).map(stem));
  let best = { text: "", shared: -1 };
  for (const span of sentenceSpans(chunkText)) {
    const text = span.text.trim();
    const shared = [...new Set(contentWords(text).map(stem))].filter((w) => claimed.has(w)).length;
    if (text && shared > best.shared) best = { text, shared };
  }
  return best.text;
}
