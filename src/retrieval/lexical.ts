import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { STOP_WORDS, stem, wordsWithParts } from "../text/tokens.js";
import { WordTable } from "../text/wordTable.js";

interface Indexed {
  id: string;
  text: string;
}

/**
 * BM25+ as MiniSearch 7 scores it (which this index replaced, with the same rankings): k1, b, and
 * the lower bound d that a matching term adds whatever the length of the text.
 */
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };
/** Chunks indexed between two turns of the event loop, for a build on a thread that also serves. */
const BUILD_SLICE = 256;
// 1: header, terms, then the typed arrays (see toBuffer).
const FORMAT = 1;

/** The searchable terms of a text: its words, stop words left out, stemmed. */
function termsOf(text: string): string[] {
  const terms: string[] = [];
  for (const word of wordsWithParts(text)) {
    const term = STOP_WORDS.has(word) ? "" : stem(word);
    if (term) terms.push(term);
  }
  return terms;
}

/** The parts of the index, typed arrays that are written and read as they are. */
interface Postings {
  documents: number;
  /** Average length of the texts, in distinct words, averaged one text at a time (as MiniSearch). */
  averageLength: number;
  /** Distinct words of each text, stop words included (the length BM25 normalises by). */
  lengths: Uint32Array;
  /** Where each term's postings start in docs and counts; one more entry than terms. */
  starts: Uint32Array;
  /** The texts (by position) that hold each term, in increasing order. */
  docs: Uint32Array;
  /** How often the term occurs in that text. */
  counts: Uint32Array;
}

/**
 * A BM25 index over the chunks: an inverted index in typed arrays (the term list, then for each
 * term the chunks that hold it and how often), built in one pass, persisted as those arrays and
 * searched with one score per chunk. Chunk ids are their positions (the vector store's labels).
 */
export class LexicalIndex {
  private readonly terms = new Map<string, number>();
  /** Scores of the current query, per chunk; reused, only the chunks touched are reset. */
  private readonly scores: Float64Array;
  private readonly matched: Uint16Array;
  private readonly firstTerm: Int32Array;

  private constructor(
    termList: string[],
    private readonly postings: Postings,
  ) {
    for (const [i, term] of termList.entries()) this.terms.set(term, i);
    this.scores = new Float64Array(postings.documents);
    this.matched = new Uint16Array(postings.documents);
    this.firstTerm = new Int32Array(postings.documents);
  }

  /** Indexes the chunks (ids are their positions), letting the event loop run now and then. */
  static async build(chunks: Indexed[]): Promise<LexicalIndex> {
    const postings = new PostingsBuilder(chunks.length);
    for (const [doc, chunk] of chunks.entries()) {
      if (chunk.id !== String(doc)) throw new Error("lexical ids must be the chunks' positions");
      postings.add(doc, chunk.text);
      if (doc % BUILD_SLICE === BUILD_SLICE - 1) await yieldToEventLoop();
    }
    const { terms, ...built } = postings.finish();
    return new LexicalIndex(terms, built);
  }

  /** Reads an index written by toBuffer. */
  static async load(buffer: Buffer): Promise<LexicalIndex> {
    const headerLength = buffer.readUInt32LE(0);
    const header = JSON.parse(buffer.toString("utf8", 4, 4 + headerLength));
    if (header.format !== FORMAT) throw new Error("unknown lexical index format");
    const { documents, averageLength, terms, postings, termBytes } = header as {
      documents: number;
      averageLength: number;
      terms: number;
      postings: number;
      termBytes: number;
    };
    // Typed arrays need their offset aligned: copied once into a buffer of their own if not.
    const bytes = buffer.byteOffset % 4 === 0 ? buffer : Buffer.from(buffer);
    let at = bytes.byteOffset + aligned(4 + headerLength);
    const take = (length: number) => {
      const view = new Uint32Array(bytes.buffer, at, length);
      at += length * 4;
      return view;
    };
    const lengths = take(documents);
    const starts = take(terms + 1);
    const docs = take(postings);
    const counts = take(postings);
    const termList =
      terms === 0
        ? []
        : bytes
            .toString("utf8", at - bytes.byteOffset, at - bytes.byteOffset + termBytes)
            .split("\n");
    if (termList.length !== terms) throw new Error("truncated lexical index");
    return new LexicalIndex(termList, { documents, averageLength, lengths, starts, docs, counts });
  }

  /** The index as bytes: a JSON header, the typed arrays, then the terms, one a line. */
  toBuffer(): Buffer {
    const { documents, averageLength, lengths, starts, docs, counts } = this.postings;
    const terms = Buffer.from([...this.terms.keys()].join("\n"));
    const header = Buffer.from(
      JSON.stringify({
        format: FORMAT,
        documents,
        averageLength,
        terms: this.terms.size,
        postings: docs.length,
        termBytes: terms.length,
      }),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length, 0);
    const arrays = [lengths, starts, docs, counts].map((array) =>
      Buffer.from(array.buffer, array.byteOffset, array.byteLength),
    );
    const padding = Buffer.alloc(aligned(4 + header.length) - 4 - header.length);
    return Buffer.concat([length, header, padding, ...arrays, terms]);
  }

  /**
   * Chunk ids with their BM25 scores, best first, as MiniSearch ranked them: each query term
   * (repeated ones count again) adds its score, the sum is multiplied by the number of distinct
   * terms matched, and ties keep the order in which chunks were first matched.
   */
  query(text: string, k: number): { id: string; score: number }[] {
    const { documents, averageLength, lengths, starts, docs, counts } = this.postings;
    const { scores, matched, firstTerm } = this;
    const touched: number[] = [];
    const seen = new Set<string>();
    for (const [position, term] of termsOf(text).entries()) {
      const id = this.terms.get(term);
      const distinct = !seen.has(term);
      seen.add(term);
      if (id === undefined) continue;
      const from = starts[id];
      const to = starts[id + 1];
      const holding = to - from;
      const idf = Math.log(1 + (documents - holding + 0.5) / (holding + 0.5));
      for (let p = from; p < to; p++) {
        const doc = docs[p];
        const tf = counts[p];
        const norm = BM25.k * (1 - BM25.b + (BM25.b * lengths[doc]) / averageLength);
        const score = idf * (BM25.d + (tf * (BM25.k + 1)) / (tf + norm));
        if (matched[doc] === 0) {
          touched.push(doc);
          firstTerm[doc] = position;
          scores[doc] = score;
        } else scores[doc] += score;
        if (distinct) matched[doc]++;
      }
    }
    for (const doc of touched) scores[doc] *= matched[doc];
    // Before: a higher score, then an earlier first match, then an earlier chunk.
    const before = (a: number, b: number) =>
      scores[a] > scores[b] ||
      (scores[a] === scores[b] &&
        (firstTerm[a] < firstTerm[b] || (firstTerm[a] === firstTerm[b] && a < b)));
    // The k best, kept in order while the touched chunks go by (no sort of them all).
    const best: number[] = [];
    for (const doc of touched) {
      matched[doc] = 0;
      if (best.length === k && !before(doc, best[k - 1])) continue;
      let at = best.length === k ? k - 1 : best.length;
      while (at > 0 && before(doc, best[at - 1])) {
        best[at] = best[at - 1];
        at--;
      }
      best[at] = doc;
    }
    return best.map((doc) => ({ id: String(doc), score: scores[doc] }));
  }
}

/**
 * The postings of texts added one after another (ids 0, 1, 2…). Their words are read through a
 * WordTable, and each word's term (its stem, or none for a stop word) is found once, by its id;
 * terms are numbered in the order they first occur.
 */
class PostingsBuilder {
  private readonly termIds = new Map<string, number>();
  /** Per term: the texts holding it and how often, in pairs. */
  private readonly perTerm: number[][] = [];
  private readonly lengths: Uint32Array;
  private averageLength = 0;
  private total = 0;
  private readonly words = new WordTable();
  /** Each word's term id, by word id: -1 for none (a stop word), undefined when not yet known. */
  private readonly termOf: number[] = [];
  /** The ids of the text being added. */
  private readonly ids: number[] = [];
  /** The last text each word was seen in, by word id (to count a text's distinct words). */
  private lastSeen = new Int32Array(1024).fill(-1);
  /** How often each term occurs in the text being added, and the terms it holds. */
  private counts = new Uint32Array(1024);
  private readonly termsHere: number[] = [];

  constructor(documents: number) {
    this.lengths = new Uint32Array(documents);
  }

  add(doc: number, text: string): void {
    const { ids, words, termOf, termsHere } = this;
    ids.length = 0;
    words.ids(text, ids);
    if (words.size > this.lastSeen.length) {
      const grown = new Int32Array(Math.max(words.size, 2 * this.lastSeen.length)).fill(-1);
      grown.set(this.lastSeen);
      this.lastSeen = grown;
    }
    // The length BM25 normalises by: distinct words, stop words included.
    const lastSeen = this.lastSeen;
    let distinct = 0;
    for (const id of ids) {
      if (lastSeen[id] !== doc) {
        lastSeen[id] = doc;
        distinct++;
      }
    }
    this.lengths[doc] = distinct;
    // Updated one text at a time, as MiniSearch does: the same average to the last bit.
    this.averageLength = (this.averageLength * doc + distinct) / (doc + 1);
    termsHere.length = 0;
    for (const id of ids) {
      const term = termOf[id] ?? this.termOfWord(id);
      if (term < 0) continue;
      if (this.counts[term] === 0) termsHere.push(term);
      this.counts[term]++;
    }
    for (const term of termsHere) {
      this.perTerm[term].push(doc, this.counts[term]);
      this.counts[term] = 0;
    }
    this.total += termsHere.length;
  }

  /** The term of a word met for the first time: its stem's id (a new one if new), or -1. */
  private termOfWord(id: number): number {
    const term = this.words.stop[id] ? "" : stem(this.words.words[id]);
    let termId = -1;
    if (term) {
      termId = this.termIds.get(term) ?? this.perTerm.length;
      if (termId === this.perTerm.length) {
        this.termIds.set(term, termId);
        this.perTerm.push([]);
        if (termId >= this.counts.length) {
          const grown = new Uint32Array(2 * this.counts.length);
          grown.set(this.counts);
          this.counts = grown;
        }
      }
    }
    this.termOf[id] = termId;
    return termId;
  }

  finish(): Postings & { terms: string[] } {
    const { perTerm, total } = this;
    const starts = new Uint32Array(perTerm.length + 1);
    const docs = new Uint32Array(total);
    const counts = new Uint32Array(total);
    let at = 0;
    for (const [id, list] of perTerm.entries()) {
      starts[id] = at;
      for (let i = 0; i < list.length; i += 2, at++) {
        docs[at] = list[i];
        counts[at] = list[i + 1];
      }
    }
    starts[perTerm.length] = at;
    return {
      terms: [...this.termIds.keys()],
      documents: this.lengths.length,
      averageLength: this.averageLength,
      lengths: this.lengths,
      starts,
      docs,
      counts,
    };
  }
}

/** The next multiple of 4: where a 32-bit array may start. */
function aligned(offset: number): number {
  return Math.ceil(offset / 4) * 4;
}
