import { stemmer } from "stemmer";

/** Words, numbers and hyphenated or apostrophe'd compounds. */
const WORD = /[\p{L}\p{N}]+(?:['’_-][\p{L}\p{N}]+)*/gu;
/** Where a compound ("China-sponsored") or an identifier ("unorderedList") has parts. */
const PARTS = /['’_-]|(?<=\p{Ll})(?=\p{Lu})/u;

export interface Token {
  /** Lower-cased. */
  word: string;
  /** Written with a capital letter. */
  capitalized: boolean;
  /** The first word of the text. */
  first: boolean;
}

const LOWER = 1;
const CAPITALIZED = 2;

/**
 * Most words are ASCII letters and digits with at most a capital first: these are told apart
 * without the Unicode regular expressions (most of the time of tokenizing). LOWER or CAPITALIZED
 * for such a word, 0 for any other (a capital inside, a separator, a letter beyond ASCII).
 */
function plainAscii(raw: string): number {
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    const lower = code >= 97 && code <= 122;
    const digit = code >= 48 && code <= 57;
    if (lower || digit) continue;
    if (i === 0 && code >= 65 && code <= 90) continue;
    return 0;
  }
  const code = raw.charCodeAt(0);
  return code >= 65 && code <= 90 ? CAPITALIZED : LOWER;
}

/** The words of a text; a compound ("China-sponsored") is followed by its parts, so that "sponsored" finds it. */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  let first = true;
  for (const raw of text.match(WORD) ?? []) {
    const plain = plainAscii(raw);
    out.push({
      word: raw.toLowerCase(),
      capitalized: plain ? plain === CAPITALIZED : /\p{Lu}/u.test(raw),
      first,
    });
    // A plain word (ASCII letters and digits, at most a capital first) has no parts.
    if (plain) {
      first = false;
      continue;
    }
    // Parts of a compound ("China-sponsored") or of an identifier ("unorderedList", "ws_no_utf")
    // are words of their own too.
    const parts = raw.split(PARTS);
    if (parts.length > 1) {
      for (const part of parts) {
        if (part.length > 1)
          out.push({
            word: part.toLowerCase(),
            capitalized: /^\p{Lu}/u.test(part) && !/\p{Ll}\p{Lu}/u.test(raw),
            first,
          });
      }
    }
    first = false;
  }
  return out;
}

/** The words of tokens(text), without the rest: what indexing and embedding read, made for speed. */
export function wordsWithParts(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.match(WORD) ?? []) {
    out.push(raw.toLowerCase());
    if (plainAscii(raw)) continue;
    const parts = raw.split(PARTS);
    if (parts.length > 1) {
      for (const part of parts) if (part.length > 1) out.push(part.toLowerCase());
    }
  }
  return out;
}

// Abbreviations documentation writes for a word a reader asks in full ("chars" for "characters",
// "ms" for "milliseconds"): they stem as the word itself. Word vectors do not know them (cosine
// 0.0-0.2), so nothing else would match them. Only ones that mean nothing else in documentation.
const ABBREVIATIONS = new Map(
  Object.entries({
    arg: "argument",
    args: "arguments",
    async: "asynchronous",
    attr: "attribute",
    attrs: "attributes",
    auth: "authentication",
    char: "character",
    chars: "characters",
    config: "configuration",
    configs: "configurations",
    db: "database",
    desc: "description",
    dest: "destination",
    dir: "directory",
    dirs: "directories",
    elem: "element",
    elems: "elements",
    env: "environment",
    fn: "function",
    fns: "functions",
    func: "function",
    img: "image",
    imgs: "images",
    info: "information",
    len: "length",
    lib: "library",
    libs: "libraries",
    max: "maximum",
    min: "minimum",
    ms: "milliseconds",
    msg: "message",
    msgs: "messages",
    num: "number",
    obj: "object",
    opts: "options",
    param: "parameter",
    params: "parameters",
    pkg: "package",
    prev: "previous",
    repo: "repository",
    repos: "repositories",
    secs: "seconds",
    src: "source",
    str: "string",
    tmp: "temporary",
  }),
);

// The same words come back in every chunk and question: their stems are remembered, up to a bound.
const stems = new Map<string, string>();
const STEMS_KEPT = 100_000;

export function stem(word: string): string {
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    if (stems.size >= STEMS_KEPT) stems.clear();
    const bare = word.replace(/['’]s$/, "");
    stemmed = stemmer(ABBREVIATIONS.get(bare) ?? bare);
    stems.set(word, stemmed);
  }
  return stemmed;
}

// Function words that carry no topic: English stop words plus the words questions are phrased with.
export const STOP_WORDS = new Set(
  `a about above after again against all am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves
out over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they'd they'll they're they've this those through
to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
where where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're
you've your yours yourself yourselves also across along among around behind beside besides beyond
within without toward towards upon onto via per many much just may might must shall will s t
tell say says said know explain describe mention mentioned please give anything something thing
things`.split(/\s+/),
);

export function contentWords(text: string): string[] {
  return wordsWithParts(text).filter((word) => !STOP_WORDS.has(word));
}
