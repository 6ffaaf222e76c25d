export interface Span {
  text: string;
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/**
 * How much text one call to the segmenter sees. V8's sentence segmenter slows down much faster
 * than the text grows (200 KB in one call takes seconds, 5 MB minutes), while windows of this size
 * take microseconds each; a sentence boundary depends only on the few characters around it.
 */
const WINDOW = 16_384;

/**
 * Sentences of a text with their offsets; each sentence keeps its trailing white space.
 * The text is segmented a window at a time: every window's last sentence may be cut by the window,
 * so the next window starts where that sentence starts. A "sentence" longer than a window (text
 * without punctuation) is cut at the window's last white space, or at the window's end.
 */
export function sentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  let from = 0;
  while (from < text.length) {
    const end = Math.min(text.length, from + WINDOW);
    // Where each sentence starts in the window: a segment object kept alive costs a copy of the
    // window (twenty times the time of segmenting), so only its index is kept.
    const starts: number[] = [];
    for (const { index } of segmenter.segment(text.slice(from, end))) starts.push(index);
    starts.push(end - from);
    let keep = starts.length - 1;
    let next = end;
    if (end < text.length) {
      if (keep > 1) {
        keep -= 1;
        next = from + starts[keep];
      } else {
        next = cutAtSpace(text, from, end);
      }
    }
    for (let i = 0; i < keep; i++) {
      const start = from + starts[i];
      const stop = Math.min(from + starts[i + 1], next);
      spans.push({ text: text.slice(start, stop), start, end: stop });
    }
    from = next;
  }
  return spans;
}

/** Where to end a window that holds one long run of text: after its last white space, if any. */
function cutAtSpace(text: string, from: number, end: number): number {
  for (let i = end - 1; i > from; i--) {
    if (/\s/.test(text[i])) return i + 1;
  }
  // No white space at all: do not split a surrogate pair.
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}
