import type { RetrievedChunk } from "../retrieval/hybrid.js";
import { sentenceSpans } from "../text/sentences.js";
import { contentWords, stem } from "../text/tokens.js";
import type { Source } from "./types.js";

/** Why a generated answer cannot be shown. */
export class RejectedAnswerError extends Error {}

/**
 * [1], [2, 3] or [2; 3]: a bracketed number list, unless a "(" follows, which makes it the text of
 * a masked link ([1](https://…)), not a citation.
 */
const BRACKETED = /\[(\d+(?:\s*[,;]\s*\d+)*)\](?!\()/g;
/** Bracketed numbers at the start of a sentence: they belong to the sentence before. */
const LEADING_CITATIONS = /^\s*(?:\[\d+(?:\s*[,;]\s*\d+)*\](?!\()\s*)+/;
/** A link Discord (or a reader) could follow: any scheme://address, in a masked link or bare. */
const URL = /[a-z][a-z\d+.-]*:\/\/[^\s<>[\]"'`]+/gi;
/** Punctuation that ends a sentence rather than a bare URL. */
const URL_TRAILER = /[.,;:!?'"”’]+$/;
/** A sentence with any letter or digit states something; one without (a dash, a blank line) does not. */
const STATES_SOMETHING = /[\p{L}\p{N}]/u;

/**
 * At most this share of the model's statements may be left out for failing the check; past it the
 * answer is not shown and the documents are quoted instead, since what is left would be a fragment.
 */
export const DROPPED_SHARE_MAX = 0.5;

interface Sentence {
  /** The sentence as written, with its trailing white space. */
  text: string;
  /** The valid citations' numbers (1..given), in order. */
  cited: number[];
  /** Why it cannot be shown, when it cannot. */
  problem?: string;
  statesSomething: boolean;
}

function bracketed(text: string): number[] {
  return Array.from(text.matchAll(BRACKETED), (match) => match[1].split(/[,;]/).map(Number)).flat();
}

/**
 * The answer's sentences, each with the citations that follow it: Intl.Segmenter ends a sentence
 * before "[1]" in "Claim. [1] Next" and inside it in "Claim.[1]", so both are put back.
 */
function splitSentences(text: string): string[] {
  const pieces: string[] = [];
  for (const { text: piece } of sentenceSpans(text)) {
    const last = pieces.length - 1;
    // A cut inside brackets ("Claim.[" + "1] Next"): not a sentence end.
    if (last >= 0 && /\[[\d,;\s]*$/.test(pieces[last])) {
      pieces[last] += piece;
      continue;
    }
    const leading = last >= 0 ? (LEADING_CITATIONS.exec(piece)?.[0] ?? "") : "";
    if (leading) pieces[last] += leading;
    if (piece.length > leading.length) pieces.push(piece.slice(leading.length));
  }
  return pieces;
}

/**
 * The links in the text, without the punctuation that ends their sentence, nor a ")" that closes
 * a parenthesis around them ("(see https://example.org/a_(b))" holds https://example.org/a_(b)).
 */
function links(text: string): string[] {
  return Array.from(text.matchAll(URL), ([match]) => {
    let url = match.replace(URL_TRAILER, "");
    while (url.endsWith(")") && url.split(")").length > url.split("(").length) {
      url = url.slice(0, -1).replace(URL_TRAILER, "");
    }
    return url;
  });
}

function checkSentence(text: string, chunks: RetrievedChunk[]): Sentence {
  const numbers = bracketed(text);
  const cited = numbers.filter((n) => n >= 1 && n <= chunks.length);
  const sentence = {
    text,
    cited,
    statesSomething: STATES_SOMETHING.test(text.replace(BRACKETED, "")),
  };
  if (!sentence.statesSomething) return sentence;
  const stray = numbers.find((n) => !cited.includes(n));
  if (stray !== undefined) {
    return {
      ...sentence,
      problem: `cited source [${stray}], but it was given only ${chunks.length}`,
    };
  }
  if (cited.length === 0) return { ...sentence, problem: "cited none of the documents" };
  const citedText = cited.map((n) => chunks[n - 1].pageContent).join("\n");
  // The address itself is not repeated in the note: it may be the very link to keep from members.
  if (links(text).some((url) => !citedText.includes(url))) {
    return { ...sentence, problem: "linked to an address that the sources it cites do not hold" };
  }
  return sentence;
}

/** The cited source numbers, in the order they are first cited. */
function citedOrder(sentences: Sentence[]): number[] {
  return [...new Set(sentences.flatMap((sentence) => sentence.cited))];
}

/** Renumbers the citations as first cited; only called on checked text, whose numbers all count. */
function renumbered(text: string, order: number[]): string {
  return text.replace(BRACKETED, (whole, list: string) => {
    const numbers = list.split(/[,;]/).map(Number);
    if (numbers.some((n) => !order.includes(n))) return whole;
    return `[${numbers.map((n) => order.indexOf(n) + 1).join(", ")}]`;
  });
}

/**
 * The complete sentences of a partial answer that pass the check, numbered as the checked answer
 * will number them, for showing while the model writes. The last sentence may still be growing,
 * so it waits for the next one; the text is "" until one sentence is complete and checked.
 */
export function checkedPartial(text: string, chunks: RetrievedChunk[]): string {
  const sentences = splitSentences(text)
    .slice(0, -1)
    .map((sentence) => checkSentence(sentence, chunks))
    .filter((sentence) => !sentence.problem);
  if (!sentences.some((sentence) => sentence.statesSomething)) return "";
  return renumbered(
    sentences.map((sentence) => sentence.text).join(""),
    citedOrder(sentences),
  ).trim();
}

export interface CheckedAnswer {
  answer: string;
  sources: Source[];
  /** Set when sentences were left out: how many, and why, for a footer. */
  note?: string;
}

/**
 * Checks a generated answer against the chunks the model was given. Every sentence that states
 * something must cite at least one of them, cite nothing else (a bracketed number beyond them,
 * such as [2021], is not a citation) and link to no address that the chunks it cites do not hold.
 * A sentence that fails is left out, and the note says so; when nothing is left, or more than
 * DROPPED_SHARE_MAX of the statements would be, the answer is rejected. Returns the answer with its
 * sources, numbered [1], [2]... as first cited.
 */
export function checkCitations(text: string, chunks: RetrievedChunk[]): CheckedAnswer {
  const sentences = splitSentences(text).map((sentence) => checkSentence(sentence, chunks));
  const statements = sentences.filter((sentence) => sentence.statesSomething);
  const dropped = statements.filter((sentence) => sentence.problem);
  const kept = sentences.filter((sentence) => !sentence.problem);
  if (dropped.length === statements.length) {
    // One reason for the whole answer: the first that is not merely a missing citation.
    const problems = dropped.map((sentence) => sentence.problem as string);
    throw new RejectedAnswerError(
      problems.find((problem) => problem !== "cited none of the documents") ??
        "cited none of the documents",
    );
  }
  if (dropped.length > statements.length * DROPPED_SHARE_MAX) {
    throw new RejectedAnswerError(
      `left too little once checked: ${dropped.length} of its ${statements.length} sentences ${reasons(dropped)}`,
    );
  }
  const order = citedOrder(kept);
  const answer = renumbered(kept.map((sentence) => sentence.text).join(""), order).trim();
  const sources = order.map((given, i) => {
    const chunk = chunks[given - 1];
    const { metadata } = chunk;
    const claims = kept
      .filter((sentence) => sentence.cited.includes(given))
      .map((sentence) => sentence.text)
      .join(" ");
    return {
      n: i + 1,
      title: metadata.title,
      source: metadata.source,
      chunk: metadata.chunk,
      score: metadata.score,
      text: chunk.pageContent,
      quote: closestSentence(chunk.pageContent, claims),
      ...(metadata.date ? { date: metadata.date } : {}),
      ...(metadata.library ? { library: metadata.library } : {}),
    };
  });
  return dropped.length ? { answer, sources, note: droppedNote(dropped) } : { answer, sources };
}

function droppedNote(dropped: Sentence[]): string {
  const count = dropped.length === 1 ? "1 sentence" : `${dropped.length} sentences`;
  return `Left out ${count} of the language model's answer that ${reasons(dropped)}.`;
}

function reasons(dropped: Sentence[]): string {
  return [...new Set(dropped.map((sentence) => sentence.problem))].join(" or ");
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
