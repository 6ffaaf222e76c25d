/** A sentence shorter than this is quoted whole. */
export const WHOLE_SENTENCE = 200;
/** A cut quote keeps at least this many characters, so that it still reads as a statement. */
const MIN_KEPT = 110;
/** ...or this many, when a direct answer above it already says what was asked. */
export const MIN_KEPT_WITH_ANSWER = 60;

/** A part between commas of at most this many words is an element of a list, not a clause. */
const LIST_ELEMENT_WORDS = 4;

export interface Clause {
  text: string;
  start: number;
  end: number;
}

/** Clauses of a sentence: cut after a comma, semicolon or colon, and before a dash or a parenthesis. */
export function clauses(sentence: string): Clause[] {
  const out: Clause[] = [];
  const boundary = /(?<=[,;:])\s+|\s+(?=(?:--|—|–)\s)|(?<=\s(?:--|—|–))\s+/g;
  let start = 0;
  for (const match of sentence.matchAll(boundary)) {
    const end = match.index ?? 0;
    if (end > start) out.push({ text: sentence.slice(start, end), start, end });
    start = end + match[0].length;
  }
  if (start < sentence.length)
    out.push({ text: sentence.slice(start), start, end: sentence.length });
  // A "clause" of a few words is an element of a list ("universality, impartiality, …"): the
  // elements of a list stay together, from the one that opens it ("based on universality").
  const short = (text: string) => text.split(/\s+/).length <= LIST_ELEMENT_WORDS;
  const merged: Clause[] = [];
  for (const clause of out) {
    const last = merged[merged.length - 1];
    const lastElement = last?.text.split(/,\s+/).pop() ?? "";
    if (last && short(clause.text) && short(lastElement)) {
      last.end = clause.end;
      last.text = sentence.slice(last.start, last.end);
    } else merged.push({ ...clause });
  }
  return merged;
}

/**
 * The sentence cut to the clauses that hold what matters (offsets of matched words, of the direct
 * answer), each cut marked with "…". Words are never changed: clauses are only left out. A short
 * sentence is kept whole.
 */
export function cutToClauses(sentence: string, keep: number[], minKept = MIN_KEPT): string {
  if (sentence.length < WHOLE_SENTENCE || keep.length === 0) return sentence;
  const parts = clauses(sentence);
  const kept = new Set<number>();
  parts.forEach((part, i) => {
    if (keep.some((offset) => offset >= part.start && offset < part.end)) kept.add(i);
  });
  if (kept.size === 0) return sentence;
  // Fill the gaps between kept clauses when they are short, and grow a quote that is too short.
  const indices = [...kept].sort((a, b) => a - b);
  for (let i = indices[0]; i < indices[indices.length - 1]; i++) kept.add(i);
  const length = () => [...kept].reduce((total, i) => total + parts[i].text.length + 1, 0);
  let low = Math.min(...kept);
  let high = Math.max(...kept);
  while (length() < minKept && (low > 0 || high < parts.length - 1)) {
    // What a sentence says about its subject mostly follows it: grow forward first.
    if (high < parts.length - 1) kept.add(++high);
    else kept.add(--low);
  }
  const first = parts[low];
  const last = parts[high];
  const body = sentence.slice(first.start, last.end).replace(/[,;:]$/, "");
  return `${low > 0 ? "… " : ""}${body}${high < parts.length - 1 ? " …" : ""}`;
}
