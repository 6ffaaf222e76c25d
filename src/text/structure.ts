import { Lexer, type Token, type Tokens } from "marked";

/** A block of a Markdown document as it is written: a heading, a paragraph, a list... */
export interface Block {
  kind: "heading" | "paragraph" | "list" | "table" | "code" | "quote" | "other";
  /** Offsets into the text the blocks were read from. */
  start: number;
  end: number;
  /** Headings above the block, outermost first (for a heading: the ones above it and itself). */
  headings: string[];
  /** The parts a long block can be cut between: list items, table rows, lines of code. */
  parts: { start: number; end: number }[];
  /** A heading's depth (1 for `#`). */
  depth?: number;
}

/** The line that opens a fenced code block. */
export const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

const KINDS: Record<string, Block["kind"]> = {
  heading: "heading",
  paragraph: "paragraph",
  text: "paragraph",
  list: "list",
  table: "table",
  code: "code",
  blockquote: "quote",
};

/**
 * The block tokens of a Markdown text, as `marked.lexer` reads them but without their inline
 * tokens (links, emphasis, code spans inside each block): blocks are all that is used here, and
 * lexing their inline content took two thirds of the time. Line ends as `marked.lexer` makes them.
 */
function blockTokens(text: string): Token[] {
  const lexer = new Lexer();
  return lexer.blockTokens(text.replace(/\r\n|\r/g, "\n"), lexer.tokens);
}

/**
 * The blocks of a Markdown text with their offsets and the headings above each, read by `marked`'s
 * lexer (whose tokens, put end to end, are the text itself). Blank space between blocks is left out.
 */
export function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const path: { depth: number; text: string }[] = [];
  let offset = 0;
  for (const token of blockTokens(text)) {
    const start = text.startsWith(token.raw, offset) ? offset : text.indexOf(token.raw, offset);
    if (start < 0) continue;
    offset = start + token.raw.length;
    if (token.type === "space" || token.type === "def" || token.raw.trim() === "") continue;
    const kind = KINDS[token.type] ?? "other";
    if (kind === "heading") {
      const { depth } = token as Tokens.Heading;
      while (path.length > 0 && path[path.length - 1].depth >= depth) path.pop();
      path.push({ depth, text: plainInline((token as Tokens.Heading).text) });
    }
    const trimmed = token.raw.replace(/\s+$/, "");
    blocks.push({
      kind,
      start,
      end: start + trimmed.length,
      headings: path.map((heading) => heading.text),
      parts: parts(token, text, start),
      ...(kind === "heading" ? { depth: (token as Tokens.Heading).depth } : {}),
    });
  }
  return blocks;
}

/** Where a block may be cut: between list items, table rows or lines; else between its lines. */
function parts(token: Token, text: string, start: number): { start: number; end: number }[] {
  const raw = token.raw.replace(/\s+$/, "");
  if (token.type === "list") {
    const out: { start: number; end: number }[] = [];
    let from = start;
    for (const item of (token as Tokens.List).items) {
      const at = text.indexOf(item.raw, from);
      if (at < 0) break;
      const itemEnd = at + item.raw.replace(/\s+$/, "").length;
      out.push({ start: at, end: itemEnd });
      from = itemEnd;
    }
    if (out.length > 0) return out;
  }
  return lineSpans(raw, start);
}

/** The non-blank lines of a text, as offsets (shifted by `base`). */
export function lineSpans(text: string, base = 0): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let at = 0;
  for (const line of text.split("\n")) {
    if (line.trim()) out.push({ start: base + at, end: base + at + line.length });
    at += line.length + 1;
  }
  return out;
}

/** Inline Markdown as plain words: links keep their text, code and emphasis marks go. */
export function plainInline(text: string): string {
  return (
    text
      // Code keeps its words, even "<script>": only tags outside code are markup.
      .replace(/`([^`]*)`/g, (_, code: string) => ` ${code.replace(/[<>]/g, " ")} `)
      // Images (badges) say nothing; a link keeps its text.
      .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/<[^>]+>/g, " ")
      .replace(/[*_`~]+/g, "")
      .replace(/\s+/g, " ")
      .trim()
  );
}
