import { STOP_WORDS } from "./tokens.js";

/** Where a compound or an identifier has parts: the same as tokens.ts's (for the words it cuts). */
const PARTS = /['’_-]|(?<=\p{Ll})(?=\p{Lu})/u;
/**
 * A word of tokens.ts's WORD starting exactly at lastIndex (sticky): the scanner's way for any
 * word that is not plain ASCII.
 */
const WORD_AT = /[\p{L}\p{N}]+(?:['’_-][\p{L}\p{N}]+)*/uy;

// FNV-1a, over the UTF-16 code units of the lower-cased word.
const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
// Slots are a power of two, rehashed into twice as many once half full: probes stay short.
const INITIAL_SLOTS = 16;

/** ASCII letters and digits, lower-cased (0 for any other character). */
const ASCII_LOWER = new Uint8Array(128);
/** ASCII lower-case letters and digits: what a plain word goes on with after its first letter. */
const ASCII_PLAIN = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const lower = (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
  if (lower) ASCII_PLAIN[code] = 1;
  if (lower) ASCII_LOWER[code] = code;
  else if (code >= 65 && code <= 90) ASCII_LOWER[code] = code + 32;
}

/** After a plain run of letters: a capital, a joiner or a character beyond ASCII may go on with the word. */
function mayGoOn(code: number): boolean {
  return code >= 128 || (code >= 65 && code <= 90) || code === 39 || code === 95 || code === 45;
}

/**
 * The words of texts as numbers: each distinct word gets the next id, the first time it is seen,
 * and `ids(text)` lists the ids of wordsWithParts(text), in the same order. It reads the text
 * character by character, and a plain word (ASCII letters and digits, at most a capital first:
 * most of them) is looked up where it is written, without being copied or lower-cased, so that
 * a text's words cost no string once their ids exist; any other word (a compound, a capital
 * inside, a letter beyond ASCII) is read by the regular expression, as wordsWithParts reads it.
 * Indexing and embedding read texts this way, and keep what they know about a word by its id
 * (an array, not a map of strings).
 */
export class WordTable {
  /** The words, lower-cased, by id. */
  readonly words: string[] = [];
  /** Whether each word is a stop word (STOP_WORDS), by id. */
  readonly stop: boolean[] = [];
  private readonly hashes: number[] = [];
  /** Open addressing, linear probing: id + 1 of the word whose hash lands there, 0 when free. */
  private slots = new Int32Array(INITIAL_SLOTS);

  /** How many distinct words the table holds. */
  get size(): number {
    return this.words.length;
  }

  /** The id of a word (lower-cased already), added when new. */
  id(word: string): number {
    let hash = FNV_OFFSET;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), FNV_PRIME);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === 0) return this.add(word, hash, slot);
      if (this.hashes[entry - 1] === hash && this.words[entry - 1] === word) return entry - 1;
    }
  }

  /** The ids of wordsWithParts(text), in order, appended to out. */
  ids(text: string, out: number[] = []): number[] {
    const length = text.length;
    let i = 0;
    while (i < length) {
      const code = text.charCodeAt(i);
      if (code >= 128) {
        i = this.other(text, i, out);
        continue;
      }
      const first = ASCII_LOWER[code];
      if (first === 0) {
        i++;
        continue;
      }
      // A plain word: ASCII letters and digits, with at most its first letter a capital.
      const start = i;
      let hash = Math.imul(FNV_OFFSET ^ first, FNV_PRIME);
      for (i++; i < length; i++) {
        const next = text.charCodeAt(i);
        if (next >= 128 || ASCII_PLAIN[next] === 0) break;
        hash = Math.imul(hash ^ next, FNV_PRIME);
      }
      if (i < length && mayGoOn(text.charCodeAt(i))) i = this.other(text, start, out);
      else out.push(this.plainId(text, start, i, hash));
    }
    return out;
  }

  /**
   * Any other word, read by the regular expression from i, as wordsWithParts reads it: the word,
   * then its parts of two letters or more. Where no word starts at i, its character is skipped.
   * Returns where the scan goes on.
   */
  private other(text: string, i: number, out: number[]): number {
    WORD_AT.lastIndex = i;
    const found = WORD_AT.exec(text);
    if (!found) return i + ((text.codePointAt(i) as number) > 0xffff ? 2 : 1);
    const raw = found[0];
    out.push(this.id(raw.toLowerCase()));
    const parts = raw.split(PARTS);
    if (parts.length > 1) {
      for (const part of parts) if (part.length > 1) out.push(this.id(part.toLowerCase()));
    }
    return i + raw.length;
  }

  /** A plain word's id, found by comparing the text where it is written; added when new. */
  private plainId(text: string, start: number, end: number, hash: number): number {
    const length = end - start;
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === 0) return this.add(text.slice(start, end).toLowerCase(), hash, slot);
      const id = entry - 1;
      if (this.hashes[id] !== hash) continue;
      const word = this.words[id];
      if (word.length !== length) continue;
      let same = true;
      for (let k = 0; k < length && same; k++) {
        const code = text.charCodeAt(start + k);
        same = word.charCodeAt(k) === (code >= 65 && code <= 90 ? code + 32 : code);
      }
      if (same) return id;
    }
  }

  private add(word: string, hash: number, slot: number): number {
    const id = this.words.length;
    this.words.push(word);
    this.stop.push(STOP_WORDS.has(word));
    this.hashes.push(hash);
    this.slots[slot] = id + 1;
    if (this.words.length * 2 > this.slots.length) this.grow();
    return id;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.hashes.length; id++) {
      let slot = this.hashes[id] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

/**
 * Every kind of text the scanner meets, read once when this module loads: V8 optimises `ids`
 * on the first texts it reads, and each kind of word it had not met yet (a capital inside, a
 * joiner, a letter beyond ASCII, a table that grows) threw that code away to compile it anew,
 * six times in a build (a quarter of a second of compiling). One-byte and two-byte strings.
 */
const EVERY_KIND =
  "Plain words, 42 numbers, camelCase and ws_no_utf, China-sponsored, don't, it’s, x- -y _z " +
  "naïve Ελληνικά 中文 \u{1d400}\u{1d401} 😀 \ud800 \udc00 — a b c d e f g h i j k l m n o p";
// V8 records what a function meets only from its eighth call on (lazy feedback allocation).
const FEEDBACK_CALLS = 12;
{
  const warm = new WordTable();
  for (const text of [EVERY_KIND, EVERY_KIND.replace(/[^ -~]/g, " ")]) {
    for (let round = 0; round < FEEDBACK_CALLS; round++) warm.ids(text);
    warm.id(text.slice(0, 20).toLowerCase());
  }
}
