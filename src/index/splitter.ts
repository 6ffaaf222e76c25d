import { TextSplitter } from "@langchain/textsplitters";
import { sentenceSpans } from "../text/sentences.js";

/**
 * Packs whole sentences into chunks of at most chunkSize characters, overlapping by whole
 * sentences; only a sentence longer than a chunk is cut, at words.
 */
export class SentenceTextSplitter extends TextSplitter {
  static lc_name() {
    return "SentenceTextSplitter";
  }

  async splitText(text: string): Promise<string[]> {
    const pieces: string[] = [];
    for (const { text: sentence } of sentenceSpans(text)) {
      if (sentence.length <= this.chunkSize) pieces.push(sentence);
      else pieces.push(...cutAtWords(sentence, this.chunkSize));
    }
    return this.mergeSplits(pieces, "");
  }
}

/**
 * Cuts a long sentence into pieces of at most `size` characters that end at words (a word longer
 * than that is cut where it must). The pieces put end to end are the sentence itself, so every
 * chunk made of them is a span of the document.
 */
function cutAtWords(sentence: string, size: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  for (const word of sentence.match(/\s*\S+\s*/g) ?? [sentence]) {
    for (let start = 0; start < word.length; start += size) {
      const part = word.slice(start, start + size);
      if (piece.length + part.length > size) {
        pieces.push(piece);
        piece = "";
      }
      piece += part;
    }
  }
  if (piece) pieces.push(piece);
  return pieces;
}

export interface ChunkSpan {
  text: string;
  start: number;
  end: number;
}

/** Chunks with their character offsets into the text. */
export async function splitWithOffsets(splitter: TextSplitter, text: string): Promise<ChunkSpan[]> {
  const chunks = await splitter.splitText(text);
  const spans: ChunkSpan[] = [];
  let from = 0;
  for (const chunk of chunks) {
    const start = text.indexOf(chunk, from);
    if (start < 0) throw new Error("splitter produced text that is not in the document");
    spans.push({ text: chunk, start, end: start + chunk.length });
    from = start + 1;
  }
  return spans;
}
