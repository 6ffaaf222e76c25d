import path from "node:path";
import { markdownHeading } from "./metadata.js";

/** A document that cannot be added, with what to do about it. */
export class DocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DocumentError";
  }
}

/** What `/document add` takes, by extension; the content is checked to match. */
export const ADDABLE = {
  ".txt": "text",
  ".md": "markdown",
  ".markdown": "markdown",
  ".html": "html",
  ".htm": "html",
  ".pdf": "pdf",
} as const;

export type DocumentKind = (typeof ADDABLE)[keyof typeof ADDABLE];

/** What is handed to extraction: the bytes and what they claim to be. */
export interface RawDocument {
  bytes: Uint8Array;
  /** An attachment's file name (its extension says the type), or a page's URL. */
  name: string;
  /** A fetched page's Content-Type, when it is one. */
  contentType?: string;
}

/** A document's readable text, as it will be saved: plain text or Markdown. */
export interface ExtractedDocument {
  kind: DocumentKind;
  title?: string;
  text: string;
  format: "text" | "markdown";
}

// No paragraph is this long: a longer line is a file without line breaks (a dump, minified data).
export const MAX_LINE_CHARS = 20_000;
// Browsers stop nesting elements at 512; readability and turndown walk the tree recursively.
export const MAX_HTML_DEPTH = 500;
const SNIFF_BYTES = 1024;
const VOID_ELEMENTS = new Set(
  "area base br col embed hr img input link meta param source track wbr".split(" "),
);

function isPdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, SNIFF_BYTES)).toString("latin1").includes("%PDF-");
}

function decodeText(bytes: Uint8Array, what: string): string {
  if (bytes.includes(0)) {
    throw new DocumentError(
      `${what} is binary, not text (it contains NUL bytes): add it as a .pdf if it is one, or save it as plain UTF-8 text.`,
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true })
      .decode(bytes)
      .replace(/^\uFEFF/, "")
      .replace(/\r\n?/g, "\n");
  } catch {
    throw new DocumentError(
      `${what} is not valid UTF-8 text: re-save it with UTF-8 encoding and add it again.`,
    );
  }
}

function looksLikeHtml(text: string): boolean {
  return /^\s*(<!--[\s\S]*?-->\s*)*(<!doctype html|<html|<head|<body)/i.test(text.slice(0, 2048));
}

/** Which kind of document the bytes are, by their content, checked against what they claim. */
function kindOf(raw: RawDocument): DocumentKind {
  const url = /^https?:\/\//i.test(raw.name);
  if (!url) {
    const extension = path.extname(raw.name).toLowerCase();
    const claimed = ADDABLE[extension as keyof typeof ADDABLE];
    if (!claimed) {
      throw new DocumentError(
        `"${extension || "(no extension)"}" files are not taken: add a .txt, .md, .html or .pdf file.`,
      );
    }
    if (claimed === "pdf" && !isPdf(raw.bytes))
      throw new DocumentError("This .pdf file is not a PDF (its content is something else).");
    if (claimed !== "pdf" && isPdf(raw.bytes))
      throw new DocumentError(
        `This is a PDF named ${extension}: rename it to .pdf and add it again.`,
      );
    return claimed;
  }
  const type = (raw.contentType ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/pdf" || isPdf(raw.bytes)) {
    if (!isPdf(raw.bytes)) throw new DocumentError("The page says it is a PDF, but it is not one.");
    return "pdf";
  }
  if (type === "text/html" || type === "application/xhtml+xml") return "html";
  if (type === "text/markdown") return "markdown";
  if (type === "text/plain" || type === "") return "text";
  throw new DocumentError(
    `The link leads to "${type}", not a web page, a PDF or text: link to the page itself.`,
  );
}

/** How deeply the page's elements nest, counted up to the limit (a quick scan of its tags). */
function nestingDepth(html: string): number {
  let depth = 0;
  let deepest = 0;
  for (const tag of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = tag;
    if (VOID_ELEMENTS.has(name.toLowerCase()) || selfClosing) continue;
    depth = Math.max(0, depth + (closing ? -1 : 1));
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_HTML_DEPTH) break;
  }
  return deepest;
}

/** A web page's article (readability picks it from menus and footers), as Markdown. */
async function fromHtml(html: string, what: string): Promise<{ title?: string; text: string }> {
  if (nestingDepth(html) > MAX_HTML_DEPTH) {
    throw new DocumentError(
      `${what}'s elements nest more than ${MAX_HTML_DEPTH} deep: it cannot be read. Save its text as a .txt or .md file instead.`,
    );
  }
  // Loaded for a web page only: linkedom and the converter take a quarter of a second to load.
  const [{ parseHTML }, { Readability }, { htmlToMarkdown }] = await Promise.all([
    import("linkedom"),
    import("@mozilla/readability"),
    import("./html.js"),
  ]);
  try {
    const { document } = parseHTML(html);
    const article = new Readability(document as never).parse();
    // The article when readability finds one, the whole page (through the same converter) when not.
    const page = htmlToMarkdown(html);
    const body = article?.content ? htmlToMarkdown(article.content).markdown : "";
    const text = body.trim().length > 0 ? body : page.markdown;
    const title = article?.title?.trim() || page.title || markdownHeading(text);
    return { text, ...(title ? { title } : {}) };
  } catch (error) {
    if (error instanceof RangeError) {
      throw new DocumentError(
        `${what} is too deeply nested to read. Save its text as a .txt or .md file instead.`,
      );
    }
    throw error;
  }
}

/** A PDF's text, line by line and page by page, and its title when it names one. */
async function fromPdf(bytes: Uint8Array): Promise<{ title?: string; text: string }> {
  const { getDocumentProxy } = await import("unpdf");
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  } catch {
    throw new DocumentError(
      "This PDF cannot be read (it is damaged or not really a PDF): export it again, or add its text as a .txt file.",
    );
  }
  try {
    const pages: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      pages.push(
        content.items
          .map((item: { str?: string; hasEOL?: boolean }) =>
            item.str === undefined ? "" : item.str + (item.hasEOL ? "\n" : ""),
          )
          .join("")
          .trim(),
      );
    }
    const { info } = (await pdf.getMetadata().catch(() => ({ info: {} }))) as {
      info: { Title?: unknown };
    };
    const title =
      typeof info.Title === "string" && info.Title.trim() ? info.Title.trim() : undefined;
    return { text: pages.filter(Boolean).join("\n\n"), ...(title ? { title } : {}) };
  } finally {
    await pdf.destroy();
  }
}

/**
 * A document's readable text: the type checked by content, PDFs' text, web pages' article as
 * Markdown. Throws a DocumentError that says what is wrong and what to do. Heavy (a PDF, a large
 * page): runs in the build thread (see runExtract).
 */
export async function extractDocument(raw: RawDocument): Promise<ExtractedDocument> {
  if (raw.bytes.length === 0) throw new DocumentError("The file is empty (0 bytes).");
  const kind = kindOf(raw);
  const what = /^https?:\/\//i.test(raw.name) ? "The page" : "The file";
  let extracted: { title?: string; text: string };
  let format: ExtractedDocument["format"] = "markdown";
  if (kind === "pdf") {
    extracted = await fromPdf(raw.bytes);
    format = "text";
    if (extracted.text.trim().length === 0) {
      throw new DocumentError(
        "This PDF has no text to read (a scanned PDF holds only pictures of pages): run it through OCR, or add its text as a .txt file.",
      );
    }
  } else {
    const text = decodeText(raw.bytes, what);
    if (kind === "html" || (kind === "text" && looksLikeHtml(text) && what === "The page")) {
      extracted = await fromHtml(text, what);
    } else if (kind === "markdown") {
      const title = markdownHeading(text);
      extracted = { text, ...(title ? { title } : {}) };
    } else {
      extracted = { text };
      format = "text";
    }
  }
  if (extracted.text.trim().length === 0) throw new DocumentError(`${what} has no text to read.`);
  const longest = extracted.text.split("\n").reduce((max, line) => Math.max(max, line.length), 0);
  if (longest > MAX_LINE_CHARS) {
    throw new DocumentError(
      `${what} has a line of ${longest.toLocaleString("en")} characters (the limit is ${MAX_LINE_CHARS.toLocaleString("en")}): break it into paragraphs and add it again.`,
    );
  }
  return {
    kind,
    format,
    text: extracted.text,
    ...(extracted.title ? { title: extracted.title } : {}),
  };
}
