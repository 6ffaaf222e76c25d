import { loadWordVectors, type WordVectors } from "../embeddings/wordVectors.js";
import type { RetrievedChunk } from "../retrieval/hybrid.js";
import { sentenceSpans } from "../text/sentences.js";
import { STOP_WORDS, stem, tokens } from "../text/tokens.js";
import { REFUSAL, type Source } from "./types.js";

/** Two words count as the same idea from this cosine similarity of their vectors up. */
const SOFT_MATCH = 0.6;
/** What a soft match counts for, against 1 for the word itself: to decide whether to answer... */
const SOFT_CREDIT = 0.9;
/** ...and to choose the sentence, where the document's own words should win. */
const SOFT_RANK_CREDIT = 0.5;
/** Share of the question's weighted terms the retrieved text must cover to be an answer. */
const MIN_COVERAGE = 0.75;
/** Share of the question's weighted terms the quoted sentence itself must cover. */
const MIN_SENTENCE_COVERAGE = 0.5;
/** A second sentence is quoted too when it scores this close to the best. */
const SECOND_SENTENCE = 0.85;
/** Bonus for a sentence holding the kind of answer the question asks for (a name, a date...). */
const EXPECTED_BONUS = 0.15;
/** Weight of the framing verbs ("demand", "propose") in choosing a sentence. */
const FRAMING_BONUS = 0.3;
/** Weight of the chunk's similarity to the question, which breaks ties. */
const SIMILARITY_BONUS = 0.05;
/** For a question made of a framing verb alone, the similarity a sentence needs. */
const FRAMING_ONLY_MATCH = 0.5;

// Verbs that frame a question about a text ("what does it demand?") rather than name its topic:
// they help choose the sentence but a document need not contain them.
const FRAMING = new Set(
  "demand require want ask request call urg mean discuss cover concern happen stat talk propos suggest".split(
    " ",
  ),
);

const MONTHS =
  "january|february|march|april|may|june|july|august|september|october|november|december";
const DATE = new RegExp(
  `\\b(${MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|(1[89]|20)\\d\\d)\\b`,
  "i",
);
const NUMBER =
  /\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand|million|billion)\b/i;
const CAPITALIZED = /(?<!^|[.!?]\s+)\b\p{Lu}[\p{L}\p{N}-]*/gu;

type Expects = "name" | "date" | "number" | undefined;

export interface ExtractiveResult {
  answered: boolean;
  answer: string;
  sources: Source[];
}

const REFUSED: ExtractiveResult = { answered: false, answer: REFUSAL, sources: [] };

interface Term {
  word: string;
  stem: string;
  /** A proper name or acronym: only the same word matches it. */
  name: boolean;
  framing: boolean;
  weight: number;
  /** Position in the word vectors, for similar words; undefined for names and unknown words. */
  rank?: number;
}

interface Candidate {
  chunk: RetrievedChunk;
  text: string;
  /** Lower-cased words, stop words left out. */
  words: string[];
  /** Stems of the words that were not capitalized mid-sentence (names match only as written). */
  stems: Set<string>;
  /** Positions of the words in the word vectors. */
  ranks: number[];
}

function expectedAnswer(question: string): Expects {
  const q = question.toLowerCase();
  if (/\b(when|what (date|day|year|time)|which (date|day|year))\b/.test(q)) return "date";
  if (/\bhow (many|much|often|long)\b/.test(q)) return "number";
  if (/\b(who|whom|whose|where|which \w+)\b/.test(q)) return "name";
  return undefined;
}

/**
 * Answers by quoting: picks the retrieved sentences that cover the question's terms (the words
 * themselves, or words whose vectors are close), and refuses when the retrieved text does not
 * cover them. It never writes anything that is not in the documents.
 */
export class ExtractiveAnswerer {
  constructor(private readonly vectors: WordVectors) {}

  static async create(): Promise<ExtractiveAnswerer> {
    return new ExtractiveAnswerer(await loadWordVectors());
  }

  answer(question: string, chunks: RetrievedChunk[]): ExtractiveResult {
    const terms = this.terms(question);
    const candidates = this.candidates(chunks);
    if (terms.length === 0 || candidates.length === 0) return REFUSED;
    const matrix = candidates.map((candidate) =>
      terms.map((term) => this.similarity(term, candidate)),
    );
    const best = terms.map((_, t) => Math.max(...matrix.map((row) => row[t])));
    const sum = (credit: (term: Term, t: number) => number) =>
      terms.reduce((total, term, t) => total + credit(term, t), 0);

    // A question that names no topic ("what does it demand?") is about the documents themselves:
    // its framing verb is all there is to choose a sentence by.
    const framingOnly = terms.every((term) => term.framing);
    if (framingOnly) {
      if (Math.max(...best) < FRAMING_ONLY_MATCH) return REFUSED;
      const scored = candidates.map((candidate, c) => ({
        candidate,
        score: sum((term, t) => term.weight * matrix[c][t]),
      }));
      return quote(choose(scored));
    }

    const topical = (term: Term) => !term.framing;
    const total = sum((term) => (topical(term) ? term.weight : 0));
    const covered = sum((term, t) => (topical(term) ? term.weight * gateCredit(best[t]) : 0));
    const passage = candidates.map((candidate) => candidate.text.toLowerCase()).join(" ");
    const namesFound =
      terms.every((term, t) => !term.name || best[t] === 1) &&
      namePhrases(question).every((phrase) => passage.includes(phrase));
    // Similar words alone are not enough: at least one of the question's own words must be there.
    const anchored = terms.some((term, t) => topical(term) && best[t] === 1);
    if (!namesFound || !anchored || covered / total < MIN_COVERAGE) return REFUSED;

    // Within the retrieved text, a term found in every sentence tells them apart less than a rare one.
    const rarity = terms.map((_, t) => {
      const found = matrix.filter((row) => row[t] === 1).length;
      return Math.log(1 + candidates.length / (1 + found));
    });
    const rankTotal = sum((term, t) => (topical(term) ? term.weight * rarity[t] : 0));
    const expects = expectedAnswer(question);
    const questionWords = new Set(terms.map((term) => term.word));
    const scored = candidates
      .map((candidate, c) => {
        const credit = (term: Term, t: number) =>
          topical(term) ? term.weight * gateCredit(matrix[c][t]) : 0;
        const rank = (term: Term, t: number) =>
          topical(term) ? term.weight * rarity[t] * rankCredit(matrix[c][t]) : 0;
        const framing = (term: Term, t: number) => (term.framing ? term.weight * matrix[c][t] : 0);
        return {
          candidate,
          coverage: sum(credit) / total,
          score:
            sum(rank) / rankTotal +
            (fits(candidate.text, expects, questionWords) ? EXPECTED_BONUS : 0) +
            (FRAMING_BONUS * sum(framing)) / total +
            SIMILARITY_BONUS * candidate.chunk.metadata.similarity,
        };
      })
      .filter((entry) => entry.coverage >= MIN_SENTENCE_COVERAGE);
    if (scored.length === 0) return REFUSED;
    return quote(choose(scored));
  }

  private terms(question: string): Term[] {
    const seen = new Set<string>();
    const terms: Term[] = [];
    for (const { word, capitalized, first } of tokens(question)) {
      if (STOP_WORDS.has(word) || seen.has(word) || word.length < 2) continue;
      seen.add(word);
      const rank = this.vectors.rank(word);
      const acronym =
        /\d/.test(word) ||
        (capitalized && word.length <= 5 && question.includes(word.toUpperCase()));
      const name = acronym || (capitalized && !first) || rank === undefined;
      terms.push({
        word,
        stem: stem(word),
        name,
        framing: FRAMING.has(stem(word)),
        weight: Math.log(10 + (rank ?? this.vectors.words.length)) * (name ? 1.5 : 1),
        rank: name ? undefined : rank,
      });
    }
    return terms;
  }

  private candidates(chunks: RetrievedChunk[]): Candidate[] {
    const seen = new Set<string>();
    const candidates: Candidate[] = [];
    for (const chunk of chunks) {
      for (const span of sentenceSpans(chunk.pageContent)) {
        const text = span.text.trim();
        const key = `${chunk.metadata.documentId}:${chunk.metadata.start + span.start}`;
        // The headline is the document's title, shown with every source; quote the body.
        if (seen.has(key) || text.length < 2 || text.endsWith(chunk.metadata.title)) continue;
        seen.add(key);
        const content = tokens(text).filter((token) => !STOP_WORDS.has(token.word));
        const stems = content
          .filter((token) => !token.capitalized || token.first)
          .map((token) => stem(token.word));
        const words = content.map((token) => token.word);
        const ranks = words.flatMap((word) => this.vectors.rank(word) ?? []);
        candidates.push({ chunk, text, words, stems: new Set(stems), ranks });
      }
    }
    return candidates;
  }

  /** 1 when the candidate has the term's word, else the best cosine similarity of its words to it. */
  private similarity(term: Term, candidate: Candidate): number {
    if (candidate.stems.has(term.stem) || candidate.words.includes(term.word)) return 1;
    if (term.rank === undefined) return 0;
    let best = 0;
    for (const rank of candidate.ranks) best = Math.max(best, this.vectors.cosine(term.rank, rank));
    return best;
  }
}

/** Runs of two or more capitalized words after the first word ("United States"), lower-cased. */
function namePhrases(question: string): string[] {
  const phrases =
    question.match(/(?<!^)\b\p{Lu}[\p{L}\p{N}-]*(?:\s+\p{Lu}[\p{L}\p{N}-]*)+/gu) ?? [];
  return phrases.map((phrase) => phrase.toLowerCase().replace(/\s+/g, " "));
}

/** Whether a sentence holds the kind of answer the question asks for. */
function fits(text: string, expects: Expects, questionWords: Set<string>): boolean {
  if (expects === "date") return DATE.test(text);
  if (expects === "number") return NUMBER.test(text);
  if (expects === "name") {
    return (text.match(CAPITALIZED) ?? []).some((word) => !questionWords.has(word.toLowerCase()));
  }
  return false;
}

/** The best sentence, and the next one too when it scores nearly as well, in document order. */
function choose(scored: { candidate: Candidate; score: number }[]): Candidate[] {
  const [first, second] = [...scored].sort((a, b) => b.score - a.score);
  const chosen =
    second && second.score >= SECOND_SENTENCE * first.score ? [first, second] : [first];
  return chosen.map((entry) => entry.candidate).sort((a, b) => order(a) - order(b));
}

/** The chosen sentences as quotes, each with a numbered citation of its chunk. */
function quote(chosen: Candidate[]): ExtractiveResult {
  const sources: Source[] = [];
  const lines = chosen.map(({ chunk, text }) => {
    const { metadata } = chunk;
    let source = sources.find((s) => s.source === metadata.source && s.chunk === metadata.chunk);
    if (source) source.quote += ` ${text}`;
    else {
      source = {
        n: sources.length + 1,
        title: metadata.title,
        source: metadata.source,
        chunk: metadata.chunk,
        score: metadata.score,
        text: chunk.pageContent,
        quote: text,
        ...(metadata.date ? { date: metadata.date } : {}),
      };
      sources.push(source);
    }
    return `“${text}” [${source.n}]`;
  });
  return { answered: true, answer: lines.join("\n"), sources };
}

function gateCredit(similarity: number): number {
  return similarity === 1 ? 1 : similarity >= SOFT_MATCH ? SOFT_CREDIT : 0;
}

function rankCredit(similarity: number): number {
  return similarity === 1 ? 1 : similarity >= SOFT_MATCH ? SOFT_RANK_CREDIT : 0;
}

function order(candidate: Candidate): number {
  return candidate.chunk.metadata.start + candidate.chunk.pageContent.indexOf(candidate.text);
}
