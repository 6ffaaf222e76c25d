import { TextSplitter } from "@langchain/textsplitters";
import { sentenceSpans } from "../text/sentences.js";
import { type Block, FENCE, markdownBlocks } from "../text/structure.js";

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
export function cutAtWords(sentence: string, size: number): string[] {
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
  /** Markdown: the headings above the chunk, outermost first. */
  headings?: string[];
  /**
   * Markdown: what introduces a list, table or code block the chunk starts in the middle of (its
   * lead-in, its header row, its opening fence).
   */
  lead?: string;
}

/** A lead-in longer than this is not carried to the next chunk (it would crowd it out). */
const LEAD_MAX = 300;

/**
 * Cuts a Markdown document the way it is written: a chunk never crosses a heading, blocks
 * (paragraphs, lists, tables, code) stay whole when they fit, and a longer block is cut between
 * its list items, table rows or lines (a paragraph between sentences). Each chunk keeps the
 * headings above it, and a chunk that starts inside a list or table keeps its lead-in or header.
 */
export function splitMarkdown(text: string, chunkSize: number): ChunkSpan[] {
  const blocks = markdownBlocks(text);
  const chunks: ChunkSpan[] = [];
  let current:
    | { start: number; end: number; headings: string[]; lead?: string; content: boolean }
    | undefined;
  const flush = () => {
    if (current) {
      const { content: _, ...span } = current;
      chunks.push({ ...span, text: text.slice(span.start, span.end) });
    }
    current = undefined;
  };
  blocks.forEach((block, b) => {
    // A heading starts a new chunk, unless the chunk so far holds only headings (an empty section).
    if (block.kind === "heading") {
      if (current?.content) flush();
      else if (current) {
        current.end = block.end;
        current.headings = block.headings;
        return;
      }
    }
    const pieces =
      block.end - block.start <= chunkSize ? [block] : cutBlock(text, block, chunkSize);
    pieces.forEach((piece, p) => {
      if (current && piece.end - current.start > chunkSize) flush();
      if (!current) {
        const lead = p > 0 || block.kind === "list" ? leadOf(text, blocks, b) : undefined;
        current = {
          start: piece.start,
          end: piece.end,
          headings: block.headings,
          content: block.kind !== "heading",
          ...(lead && lead.length <= LEAD_MAX ? { lead } : {}),
        };
      } else {
        current.end = piece.end;
        current.content ||= block.kind !== "heading";
      }
    });
  });
  flush();
  return chunks.filter((chunk) => chunk.text.trim().length > 0);
}

/**
 * The header rows of a table, the opening fence of a code block ("```js": the chunk starts inside
 * code), or the paragraph ending in a colon that introduces a list.
 */
function leadOf(text: string, blocks: Block[], b: number): string | undefined {
  const block = blocks[b];
  if (block.kind === "table") {
    return text.slice(block.start, block.end).split("\n").slice(0, 2).join("\n");
  }
  if (block.kind === "code") {
    const fence = text.slice(block.start, block.end).split("\n")[0];
    return FENCE.test(fence) ? fence : undefined;
  }
  const previous = blocks[b - 1];
  if (block.kind === "list" && previous?.kind === "paragraph") {
    const lead = text.slice(previous.start, previous.end).trim();
    if (lead.endsWith(":")) return lead;
  }
  return undefined;
}

/** A block too long for one chunk, in pieces that fit: items, rows, lines, or sentences. */
function cutBlock(text: string, block: Block, size: number): { start: number; end: number }[] {
  const parts =
    block.kind === "paragraph" || block.kind === "quote"
      ? sentenceSpans(text.slice(block.start, block.end)).map((s) => ({
          start: block.start + s.start,
          end: block.start + s.end,
        }))
      : block.kind === "table"
        ? headerWithFirstRow(block.parts)
        : block.parts;
  const out: { start: number; end: number }[] = [];
  for (const part of parts) {
    if (part.end - part.start <= size) out.push(part);
    else {
      let at = part.start;
      for (const piece of cutAtWords(text.slice(part.start, part.end), size)) {
        out.push({ start: at, end: at + piece.length });
        at += piece.length;
      }
    }
  }
  return out;
}

/** A table's rows, its header and separator joined to the first row: a header is never alone. */
function headerWithFirstRow(
  rows: { start: number; end: number }[],
): { start: number; end: number }[] {
  if (rows.length < 3) return rows;
  return [{ start: rows[0].start, end: rows[2].end }, ...rows.slice(3)];
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
