import { STOP_WORDS } from "./tokens.js";

/** Where a compound or an identifier has parts: the same as tokens.ts's (for the words it cuts). */
const PARTS = /['’_-]|(?<=\p{Ll})(?=\p{Lu})/u;
/** A letter or a digit beyond ASCII: what tokens.ts's WORD counts as a word's character. */
const WORD_CHARACTER = /^[\p{L}\p{N}]$/u;
// FNV-1a, over the UTF-16 code units of the lower-cased word.
const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
// Slots are a power of two, rehashed into twice as many once half full: probes stay short.
const INITIAL_SLOTS = 1 << 12;

/** Word characters of the Basic Multilingual Plane, tested once each: 0 untested, 1 yes, 2 no. */
const bmpWordCharacter = new Uint8Array(0x10000);
for (let code = 0; code < 128; code++) {
  const letterOrDigit =
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
  bmpWordCharacter[code] = letterOrDigit ? 1 : 2;
}

/** Whether the code point is a letter or a digit (`[\p{L}\p{N}]`). */
function isWordCodePoint(point: number): boolean {
  if (point < 0x10000) {
    let known = bmpWordCharacter[point];
    if (known === 0) {
      known = WORD_CHARACTER.test(String.fromCharCode(point)) ? 1 : 2;
      bmpWordCharacter[point] = known;
    }
    return known === 1;
  }
  return WORD_CHARACTER.test(String.fromCodePoint(point));
}

/** A separator inside a compound word: ' ’ _ - */
function isJoiner(code: number): boolean {
  return code === 39 || code === 0x2019 || code === 95 || code === 45;
}

/**
 * The words of texts as numbers: each distinct word gets the next id, the first time it is seen,
 * and `ids(text)` lists the ids of wordsWithParts(text), in the same order. It reads the text
 * character by character, and a plain word (ASCII letters and digits, at most a capital first:
 * most of them) is looked up where it is written, without being copied or lower-cased, so that
 * a text's words cost no string once their ids exist. Indexing and embedding read texts this way,
 * and keep what they know about a word by its id (an array, not a map of strings).
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
      let code = text.charCodeAt(i);
      if (code < 128 ? bmpWordCharacter[code] !== 1 : !isWordCodePoint(codePointAt(text, i))) {
        i += code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
        continue;
      }
      // A plain word: ASCII letters and digits, with at most its first letter a capital.
      const start = i;
      let plain = true;
      let hash = FNV_OFFSET;
      for (;;) {
        // One run of letters and digits.
        while (i < length) {
          code = text.charCodeAt(i);
          if (code < 128) {
            if (bmpWordCharacter[code] !== 1) break;
            if (code >= 65 && code <= 90) {
              if (i !== start) plain = false;
              code += 32;
            }
            hash = Math.imul(hash ^ code, FNV_PRIME);
            i++;
          } else {
            const point = codePointAt(text, i);
            if (!isWordCodePoint(point)) break;
            plain = false;
            i += point > 0xffff ? 2 : 1;
          }
        }
        // A joiner followed by a letter or a digit continues the word.
        if (i + 1 < length && isJoiner(text.charCodeAt(i)) && startsWord(text, i + 1)) {
          plain = false;
          i++;
        } else break;
      }
      if (plain) out.push(this.plainId(text, start, i, hash));
      else this.compound(text.slice(start, i), out);
    }
    return out;
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

  /** Any other word, as wordsWithParts reads it: the word, then its parts of two letters or more. */
  private compound(raw: string, out: number[]): void {
    out.push(this.id(raw.toLowerCase()));
    const parts = raw.split(PARTS);
    if (parts.length > 1) {
      for (const part of parts) if (part.length > 1) out.push(this.id(part.toLowerCase()));
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

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The code point at i (a lone surrogate is one of its own, as a `u` regular expression reads it). */
function codePointAt(text: string, i: number): number {
  return text.codePointAt(i) as number;
}

/** Whether a letter or a digit starts at i. */
function startsWord(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code < 128 ? bmpWordCharacter[code] === 1 : isWordCodePoint(codePointAt(text, i));
}
