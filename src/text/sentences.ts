export interface Span {
  text: string;
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** Sentences of a text with their offsets; each sentence keeps its trailing white space. */
export function sentenceSpans(text: string): Span[] {
  return Array.from(segmenter.segment(text), ({ segment, index }) => ({
    text: segment,
    start: index,
    end: index + segment.length,
  }));
}
