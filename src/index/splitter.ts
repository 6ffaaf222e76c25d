import {
  RecursiveCharacterTextSplitter,
  TextSplitter,
  type TextSplitterParams,
} from "@langchain/textsplitters";
import { sentenceSpans } from "../text/sentences.js";

/**
 * Packs whole sentences into chunks of at most chunkSize characters, overlapping by whole
 * sentences; only a sentence longer than a chunk is cut, at words.
 */
export class SentenceTextSplitter extends TextSplitter {
  static lc_name() {
    return "SentenceTextSplitter";
  }

  private readonly fallback: RecursiveCharacterTextSplitter;

  constructor(fields: Partial<TextSplitterParams>) {
    super(fields);
    this.fallback = new RecursiveCharacterTextSplitter({
      chunkSize: this.chunkSize,
      chunkOverlap: this.chunkOverlap,
    });
  }

  async splitText(text: string): Promise<string[]> {
    const pieces: string[] = [];
    for (const { text: sentence } of sentenceSpans(text)) {
      if (sentence.length <= this.chunkSize) pieces.push(sentence);
      else pieces.push(...(await this.fallback.splitText(sentence)).map((part) => `${part} `));
    }
    return this.mergeSplits(pieces, "");
  }
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
