import type { RetrievedChunk } from "../retrieval/hybrid.js";
import { sentenceSpans } from "../text/sentences.js";
import { type Block, FENCE, lineSpans, markdownBlocks, plainInline } from "../text/structure.js";

/**
 * The smallest piece of a retrieved chunk that can be quoted as an answer: a sentence of prose, a
 * list item, a table row, a code block, or a line that gives a value next to its label. It keeps
 * what surrounds it (headings, the lead-in of its list, the header of its table) as context, which
 * helps choose it but is never the answer itself.
 */
export interface Unit {
  chunk: RetrievedChunk;
  /** A setting is a key a code example sets; a result, a line of one with the result it shows. */
  kind: "sentence" | "item" | "list" | "row" | "code" | "line" | "setting" | "result";
  /** The text quoted, verbatim from the chunk. */
  text: string;
  /** Offset of the text in its document, to keep quotes in document order. */
  position: number;
  /** Words around the unit that name what it is about: title, headings, lead-in, table header. */
  context: string;
  /** Shown before the unit when it is quoted: the lead-in of a list, the header of a table. */
  intro?: string;
  /**
   * What a list item or table row is about: its leading `code`, **bold** text or first cell; the
   * key a code example's setting sets; the expression whose result an example shows.
   */
  label?: string;
  /** A code example's setting or result: the value, as written (`5`, `process.stdout`, `2`). */
  value?: string;
  /** The nearest heading above the unit, shown with a value, a row or a code block. */
  heading?: string;
  /** The news byline or dateline: who filed the story, where and when. */
  byline?: boolean;
  /**
   * What a byline or dateline stands for ("reported filed…"), or a setting ("set"): matched as its
   * own words, though not written.
   */
  means?: string;
  /** The headline: the document's title, shown with every source, so quoted only when asked for. */
  headline?: boolean;
  /**
   * A short section the unit stands in (an option under its heading: "Type", "Default", what it
   * does), quoted whole, since its lines only make sense together.
   */
  section?: string;
}

/** A parameter with its default, as JSDoc writes it: "[`offset` = 0]", "[`options.msecs = (current time)`]". */
export const DEFAULT_IN_LABEL = /^\[?\s*`?[\w$.]+`?\s*=\s*([^\]]+?)`?\s*\]?$/;

// A sentence that opens by pointing back ("In this case…", "This means…"): what it is about is
// in the sentence before it.
const REFERS_BACK =
  /^\s*(?:in (?:this|that|such a|either|both) cases?|(?:this|that|these|those|then|otherwise)\b)/i;
/** A section up to this many characters is quoted whole when one of its lines answers. */
const SECTION_MAX = 400;
/** A list up to this many characters is also a unit of its own, for "which…?" questions. */
const LIST_MAX = 700;

// The words a news byline or dateline stands for, though it does not write them: it tells who
// reported, wrote and published the story, and where and when it was filed.
const BYLINE_WORDS =
  "reported published written wrote author news agency source byline story article date time";
// ...and a dateline, where it was filed from.
const DATELINE_WORDS =
  "reported filed dateline datelined city place location news agency story article";
// ...the headline, what the story is called...
export const HEADLINE_WORDS = "headline title titled story article";
// ...and the caption of its photo, what the picture shows.
const CAPTION_WORDS = "caption photo photograph picture image shows shown story article";
// A photo caption near the top, as news sites credit one: "…in New York. [File photo/Xinhua]".
const CAPTION =
  /^[^\n]{10,300}[.!]?\s*[[(][^\])\n]{0,40}(?:\/|\bphoto\b|\bimage\b|\bpicture\b)[^\])\n]{0,40}[\])]$/iu;
// A dateline, as news agencies write it: "GENEVA, March 23 (Xinhua) --".
const DATELINE = /^\s*\p{Lu}[\p{Lu} .'-]+,\s+[^()\n]{0,30}\([^)\n]{2,40}\)\s*(--|—|–)/u;
// A byline line near the top: short, with a date or a time ("Xinhua) 08:15, March 24, 2021").
const BYLINE = /^[^\n]{0,40}(\d{1,2}:\d{2}|\b(19|20)\d\d\b)[^\n]{0,40}$/;
// A line that gives a value after its label ("Default: `info`", "Type: string").
const LABELLED = /^\s*[-*]?\s*\**[\p{L}][\p{L}\p{N} ._-]{0,30}\**\s*:\s*\S/u;
// A comment this many words long or longer, written as a sentence, is quoted as prose: shorter
// ones ("// Hello World") label a line of code.
const COMMENT_WORDS = 5;
/** Markup with fewer words than this outside its addresses is not quoted (see isMarkup). */
const PROSE_WORDS = 4;
/** A table's header row and the separator under it, as a chunk's lead. */
const TABLE_HEADER = /^[^\n]*\|[^\n]*\n\s*\|?\s*:?-{3,}/;
/** Code blocks longer than this many lines are quoted in part. */
const CODE_LINES = 12;

/** The quotable units of the retrieved chunks, each once, in retrieval order. */
export function unitsOf(chunks: RetrievedChunk[]): Unit[] {
  const seen = new Set<string>();
  const units: Unit[] = [];
  const acronyms = acronymsOf(chunks);
  for (const chunk of chunks) {
    const found = chunk.metadata.format === "markdown" ? markdownUnits(chunk) : textUnits(chunk);
    for (const unit of found) {
      const key = `${chunk.metadata.documentId}:${unit.position}:${unit.kind}:${unit.byline ?? false}:${unit.label}`;
      if (seen.has(key) || unit.text.trim().length < 2) continue;
      seen.add(key);
      // "United Nations" in a sentence answers a question that says "UN", as the text defines it.
      const short = acronyms.filter((a) => unit.text.includes(a.long)).map((a) => a.short);
      units.push(
        short.length > 0 ? { ...unit, context: `${unit.context} ${short.join(" ")}` } : unit,
      );
    }
  }
  return units;
}

/** Acronyms the retrieved text defines: "The United Nations (UN)". */
function acronymsOf(chunks: RetrievedChunk[]): { long: string; short: string }[] {
  const found: { long: string; short: string }[] = [];
  for (const chunk of chunks) {
    for (const m of chunk.pageContent.matchAll(
      /((?:\p{Lu}[\p{L}-]+\s+){1,5})\((\p{Lu}{2,6})\)/gu,
    )) {
      // The long form is as many words as the acronym has letters, ending before the parenthesis.
      const words = m[1].trim().split(/\s+/).slice(-m[2].length);
      const initials = words.map((word) => word[0]).join("");
      if (initials === m[2]) found.push({ long: words.join(" "), short: m[2] });
    }
  }
  return found;
}

function textUnits(chunk: RetrievedChunk): Unit[] {
  const { metadata } = chunk;
  const context = metadata.title;
  const units: Unit[] = [];
  const nearTop = metadata.chunk === 1;
  // A photo caption is looked for in news stories only: elsewhere a bracket is a bracket.
  const story = nearTop && isStory(chunk.pageContent);
  for (const paragraph of paragraphs(chunk.pageContent)) {
    const position = metadata.start + paragraph.start;
    // The headline is the document's title, shown with every source: quoted only when asked for.
    const headline = paragraph.text.trim().replace(/^date\s+\S+\s+/i, "");
    if (nearTop && headline === metadata.title) {
      units.push({ ...byline(chunk, headline, position, HEADLINE_WORDS), headline: true });
      continue;
    }
    if (nearTop && paragraph.start < 400 && BYLINE.test(paragraph.text.trim())) {
      units.push(byline(chunk, paragraph.text.trim(), position, BYLINE_WORDS));
      continue;
    }
    if (story && paragraph.start < 600 && CAPTION.test(paragraph.text.trim())) {
      units.push(byline(chunk, paragraph.text.trim(), position, CAPTION_WORDS));
      continue;
    }
    const dateline = nearTop ? DATELINE.exec(paragraph.text) : null;
    if (dateline) units.push(byline(chunk, dateline[0].trim(), position, DATELINE_WORDS));
    for (const sentence of sentencesOf(paragraph.text)) {
      const text = sentence.text.trim();
      if (text.length < 2) continue;
      units.push({ chunk, kind: "sentence", text, position: position + sentence.start, context });
    }
  }
  return units;
}

function byline(chunk: RetrievedChunk, text: string, position: number, words: string): Unit {
  return {
    chunk,
    kind: "line",
    text,
    position,
    context: chunk.metadata.title,
    byline: true,
    means: words,
  };
}

/** Paragraphs (runs of text between blank lines) with their offsets. */
function paragraphs(text: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const pattern = /[^\n]+(?:\n(?!\s*\n)[^\n]*)*/g;
  for (const match of text.matchAll(pattern)) {
    if (match[0].trim()) out.push({ text: match[0], start: match.index ?? 0 });
  }
  return out;
}

function markdownUnits(chunk: RetrievedChunk): Unit[] {
  const { metadata } = chunk;
  // A chunk that starts inside a code block or a table is read after the lines that open it (the
  // fence, the header row), so that its code or rows are not taken for prose; offsets stay the
  // chunk's own.
  const opens = metadata.lead && (FENCE.test(metadata.lead) || TABLE_HEADER.test(metadata.lead));
  const opening = opens ? `${metadata.lead}\n` : "";
  const text = opening + chunk.pageContent;
  const outer = metadata.headings ?? [];
  const units: Unit[] = [];
  const blocks = markdownBlocks(text);
  // A chunk that is one short section under its heading (as API references are written).
  const section =
    blocks[0]?.kind === "heading" &&
    text.length <= SECTION_MAX &&
    blocks.filter((block) => block.kind === "heading").length === 1 &&
    blocks.length > 2
      ? text.slice(blocks[1].start).trim()
      : undefined;
  blocks.forEach((block, b) => {
    if (block.kind === "heading" || block.kind === "other") return;
    const headings = block.headings.length > 0 ? mergeHeadings(outer, block.headings) : outer;
    const heading = headings[headings.length - 1];
    const base = {
      chunk,
      heading,
      context: [metadata.title, ...headings].join(" \n "),
      ...(section ? { section } : {}),
    };
    const at = (offset: number) => metadata.start + Math.max(0, offset - opening.length);
    const previous = blocks[b - 1];
    const previousText =
      previous && previous.kind === "paragraph"
        ? text.slice(previous.start, previous.end).trim()
        : "";
    if (block.kind === "list") {
      const intro = previousText.endsWith(":") ? previousText : b === 0 ? metadata.lead : undefined;
      const list = text.slice(block.start, block.end);
      if (block.parts.length > 1 && list.length <= LIST_MAX && !isNavigation(list)) {
        units.push({
          ...base,
          kind: "list",
          text: list,
          position: at(block.start),
          context: [base.context, previousText].join(" \n "),
          ...(previousText ? { intro: previousText } : {}),
        });
      }
      for (const item of block.parts) {
        if (isNavigation(text.slice(item.start, item.end))) continue;
        const label = labelOf(text.slice(item.start, item.end));
        units.push({
          ...(label ? { label } : {}),
          ...base,
          kind: "item",
          text: text.slice(item.start, item.end).trim(),
          position: at(item.start),
          context: [base.context, intro ?? ""].join(" \n "),
          ...(intro ? { intro } : {}),
        });
      }
    } else if (block.kind === "table" || (block.kind === "paragraph" && isTableRows(text, block))) {
      const rows = lineSpans(text.slice(block.start, block.end), block.start);
      const header = /^\s*\|?\s*:?-{3,}/.test(text.slice(rows[1]?.start ?? 0, rows[1]?.end ?? 0))
        ? text.slice(rows[0].start, rows[0].end)
        : metadata.lead?.split("\n")[0];
      const body = header === text.slice(rows[0].start, rows[0].end) ? rows.slice(2) : rows;
      for (const row of body) {
        if (/^\s*\|?\s*:?-{3,}/.test(text.slice(row.start, row.end))) continue;
        const label = labelOf(text.slice(row.start, row.end));
        units.push({
          ...(label ? { label } : {}),
          // "[`offset` = 0]": a parameter written with its default, as JSDoc writes it.
          ...(label && DEFAULT_IN_LABEL.test(label) ? { means: "default" } : {}),
          ...base,
          kind: "row",
          text: text.slice(row.start, row.end).trim(),
          position: at(row.start),
          context: [base.context, header ? plainInline(header.replace(/\|/g, " ")) : ""].join(
            " \n ",
          ),
          ...(header ? { intro: header.trim() } : {}),
        });
      }
    } else if (block.kind === "code") {
      const lines = text.slice(block.start, block.end).split("\n");
      const code =
        lines.length > CODE_LINES + 2
          ? [...lines.slice(0, CODE_LINES + 1), "…", lines[lines.length - 1]].join("\n")
          : lines.join("\n");
      const intro = previousText ? lastSentence(previousText) : undefined;
      units.push({
        ...base,
        kind: "code",
        text: code,
        position: at(block.start),
        context: [base.context, intro ?? ""].join(" \n "),
        ...(intro ? { intro } : {}),
      });
      // Each setting the code makes ("fps: 5,", "level = 3") answers what that setting is set to.
      for (const setting of settingsOf(text.slice(block.start, block.end))) {
        units.push({
          ...base,
          kind: "setting",
          // What a line of code does to the key it names: "what does the example SET it to?".
          means: "set value",
          label: setting.key,
          ...(setting.value ? { value: setting.value } : {}),
          text: setting.line,
          position: at(block.start + setting.start),
          context: [base.context, intro ?? "", setting.comments].join(" \n "),
        });
      }
      // What a line of code gives, as the comment under it shows ("//=> 2"), answers "what does
      // sizeBy({priority: 1}) return?".
      for (const result of resultsOf(text.slice(block.start, block.end))) {
        units.push({
          ...base,
          kind: "result",
          label: result.expression,
          value: result.value,
          text: result.text,
          position: at(block.start + result.start),
          context: [base.context, intro ?? ""].join(" \n "),
        });
      }
      // A comment written as a sentence is prose ("There is also an alias to `convert` called…").
      for (const comment of commentSentences(text.slice(block.start, block.end))) {
        units.push({
          ...base,
          kind: "sentence",
          text: comment.text,
          position: at(block.start + comment.start),
          context: [base.context, intro ?? ""].join(" \n "),
        });
      }
    } else {
      // A lead-in that ends in a colon says nothing without the code or list it introduces: it
      // is quoted as their intro, not alone.
      const next = blocks[b + 1];
      const introduces = next?.kind === "code" || next?.kind === "list";
      units.push(
        ...proseUnits(block, text, base, at, proseBefore(blocks, b, text)).filter(
          (unit, i, all) => !(introduces && i === all.length - 1 && unit.text.endsWith(":")),
        ),
      );
    }
  });
  return units;
}

/** A paragraph's sentences; a paragraph of "Label: value" lines gives one unit a line. */
function proseUnits(
  block: Block,
  text: string,
  base: Pick<Unit, "chunk" | "heading" | "context">,
  at: (offset: number) => number,
  /** The last sentence of the prose before this paragraph in its section, if any. */
  before?: string,
): Unit[] {
  // A quote's ">" marks are markup, not words: blanked, so that offsets stay as written.
  const written = text.slice(block.start, block.end);
  const body =
    block.kind === "quote"
      ? written.replace(/^[ \t]*>[ \t]?/gm, (mark) => " ".repeat(mark.length))
      : written;
  const lines = lineSpans(body, block.start);
  if (lines.some((line) => LABELLED.test(text.slice(line.start, line.end)))) {
    return lines.map((line) => ({
      ...base,
      kind: "line",
      text: text.slice(line.start, line.end).trim(),
      position: at(line.start),
    }));
  }
  const sentences = sentencesOf(body).filter(
    (sentence) => sentence.text.trim().length > 1 && !isMarkup(sentence.text),
  );
  return sentences.map((sentence, i) => {
    // "In this case, `MiniSearch` will appear as a global variable": what the case is, the
    // sentence before says (in this paragraph, or the prose before the code between them).
    const referred = REFERS_BACK.test(sentence.text)
      ? i > 0
        ? sentences[i - 1].text
        : before
      : undefined;
    return {
      ...base,
      kind: "sentence",
      text: sentence.text.trim(),
      position: at(block.start + sentence.start),
      ...(referred ? { context: `${base.context} \n ${referred.trim()}` } : {}),
    };
  });
}

/**
 * The last sentence of the paragraph before block b, past the code blocks between them, in the
 * same section (no heading between); undefined when there is none.
 */
function proseBefore(blocks: Block[], b: number, text: string): string | undefined {
  for (let i = b - 1; i >= 0; i--) {
    const block = blocks[i];
    if (block.kind === "code") continue;
    return block.kind === "paragraph"
      ? lastSentence(text.slice(block.start, block.end))
      : undefined;
  }
  return undefined;
}

/**
 * Sentences of a paragraph whose lines may be wrapped by hand (as READMEs are): a line break
 * inside a paragraph does not end a sentence. Offsets are into the paragraph as written.
 */
function sentencesOf(paragraph: string): { text: string; start: number }[] {
  const unwrapped = paragraph.replace(/\n/g, " ");
  return sentenceSpans(unwrapped).map((sentence) => ({
    text: paragraph.slice(sentence.start, sentence.end),
    start: sentence.start,
  }));
}

/**
 * Badge or link markup that a "?" in its address cut into "sentences"
 * ("Version npm](https://img.shields.io/npm/v/ws.svg?"): fewer than PROSE_WORDS words outside
 * its addresses and brackets, so it says nothing to quote.
 */
export function isMarkup(text: string): boolean {
  if (!/\]\(|:\/\/|!\[/.test(text)) return false;
  // A link alone, written in words, is what its section says ("## License" then "[MIT](LICENSE)").
  if (/^\[[^\]![]*\p{L}[^\]![]*\]\([^)\s]*\)\.?$/u.test(text.trim())) return false;
  const prose = text.replace(/\]\([^)\s]*\)?|\S*:\/\/\S*|[![\]()]/g, " ");
  return (prose.match(/\p{L}{2,}/gu) ?? []).length < PROSE_WORDS;
}

/** A list item that only links to a part of the page (a table of contents) says nothing itself. */
export function isNavigation(text: string): boolean {
  return /^\s*(?:[-*+]|\d+\.)?\s*\[[^\]]*\]\(#[^)]*\)\s*$/.test(text.split("\n")[0]);
}

/**
 * The words a news story's first chunk is also searched by, since it does not write them: those of
 * its byline and dateline, its headline and its photo caption (see BYLINE_WORDS); undefined when
 * the start of the text is not a news story's.
 */
export function storyWords(text: string): string | undefined {
  if (!isStory(text)) return undefined;
  const caption = top(text).some((paragraph) => CAPTION.test(paragraph.trim()));
  return [BYLINE_WORDS, HEADLINE_WORDS, ...(caption ? [CAPTION_WORDS] : [])].join(" ");
}

/** Whether the start of a text is a news story's: a byline or a dateline near the top. */
function isStory(text: string): boolean {
  return top(text).some((paragraph) => BYLINE.test(paragraph.trim()) || DATELINE.test(paragraph));
}

function top(text: string): string[] {
  return text.slice(0, 600).split(/\n\s*\n/);
}

/** A chunk cut inside a table starts with rows that Markdown no longer reads as a table. */
function isTableRows(text: string, block: Block): boolean {
  const lines = text.slice(block.start, block.end).split("\n");
  return lines.length > 0 && lines.every((line) => (line.match(/\|/g) ?? []).length >= 2);
}

/** The leading `code`, **bold** text or first table cell of an item or row: what it is about. */
function labelOf(text: string): string | undefined {
  const found =
    /^\s*(?:[-*+]|\d+\.)?\s*\|?\s*(?:`([^`]{1,60})`|\*\*([^*]{1,60})\*\*|([^|\n]{1,40}?)\s*\|)/.exec(
      text,
    );
  return found ? (found[1] ?? found[2] ?? found[3])?.trim() : undefined;
}

/** The chunk's headings, continued by those written inside it (which replace the deeper ones). */
function mergeHeadings(outer: string[], inner: string[]): string[] {
  const first = inner[0];
  const at = outer.indexOf(first);
  return at >= 0 ? [...outer.slice(0, at), ...inner] : [...outer, ...inner];
}

/**
 * The comments of a code block that are written as sentences: the lines of a comment (after `//`
 * or `#`, each on a line of its own) read together, cut into sentences; each sentence of at least
 * COMMENT_WORDS words that starts with a capital letter and ends with a full stop, its words as
 * written, without the comment marks between its lines.
 */
function commentSentences(code: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const groups: { text: string; start: number }[] = [];
  let offset = 0;
  let previous = false;
  for (const line of code.split("\n")) {
    const m = /^[ \t]*(?:\/\/|#(?!!))[ \t]?(.*)$/.exec(line);
    if (m) {
      const text = m[1].trim();
      if (previous) groups[groups.length - 1].text += ` ${text}`;
      else groups.push({ text, start: offset + line.indexOf(m[1]) });
    }
    previous = m !== null;
    offset += line.length + 1;
  }
  for (const group of groups) {
    for (const span of sentenceSpans(group.text)) {
      const sentence = group.text.slice(span.start, span.end).trim();
      if (!/^\p{Lu}/u.test(sentence) || !/[.!?]$/.test(sentence)) continue;
      if (sentence.split(/\s+/).length < COMMENT_WORDS) continue;
      out.push({ text: sentence, start: group.start });
    }
  }
  return out;
}

/**
 * The lines of a code block whose result the comment under them (or after them) shows, as
 * READMEs write it: `console.log(queue.sizeBy({priority: 1}));` then `//=> 2`. The expression is
 * the line's code without a `console.log(…)` around it and the closing semicolon.
 */
function resultsOf(
  code: string,
): { expression: string; value: string; text: string; start: number }[] {
  const out: { expression: string; value: string; text: string; start: number }[] = [];
  const lines = code.split("\n");
  let offset = 0;
  for (const [i, line] of lines.entries()) {
    const start = offset;
    offset += line.length + 1;
    const after = /^(.*?\S)\s*\/\/\s*=>\s*(\S.*)$/.exec(line);
    const under = /^\s*\/\/\s*=>\s*(\S.*)$/.exec(lines[i + 1] ?? "");
    const codeLine = after ? after[1] : line;
    const value = (after?.[2] ?? under?.[1])?.trim();
    if (!value || /^\s*(?:\/\/|#)/.test(codeLine) || codeLine.trim() === "") continue;
    const expression = codeLine
      .trim()
      .replace(/;$/, "")
      .replace(/^console\.log\((.*)\)$/, "$1")
      .trim();
    if (expression.length > SETTING_VALUE_MAX || value.length > SETTING_VALUE_MAX) continue;
    out.push({
      expression,
      value,
      text: after ? line.trim() : `${line.trim()}\n${lines[i + 1].trim()}`,
      start,
    });
  }
  return out;
}

/** What a setting's value may be at most, in characters: a literal, not a block of code. */
const SETTING_VALUE_MAX = 60;
// A key set to a value at the start of a line or of an object's entry: `fps: 5`, `{concurrency: 1}`,
// `level = 3`, `const html = '<div>…'`; not a comparison or an arrow (`==`, `=>`).
const SETTING_KEY =
  /(^\s*(?:(?:export\s+)?(?:const|let|var)\s+)?|[{,(]\s*)([A-Za-z_$][\w$]*)\s*(:|=)(?![=>])\s*/g;
/** Where a key is set with "=": at the start of its line, declared or not. */
const ASSIGNED = /^\s*(?:(?:export\s+)?(?:const|let|var)\s+)?$/;
// A parameter's type in a signature (`start(totalValue:int, …)`), or what a call builds, is not a
// value a setting is given.
const NOT_A_VALUE =
  /^(?:(?:int|integer|float|double|number|string|str|bool|boolean|object|array|any|void)\b|new\s|await\s|[\w$.]+\s*\()/i;
// A function (`(term) => …`, `function (…) {`) is a setting with no value to quote: its key still
// names the option ("which option sets a tokenizer?" `tokenize`).
const FUNCTION = /=>|^(?:async\s+)?function\b/;

interface Setting {
  key: string;
  /** None for a function. */
  value?: string;
  line: string;
  start: number;
  /** The comments that explain the line, and the keys of the objects it stands in. */
  comments: string;
}

/**
 * The settings a code block makes, a line at a time: the key, the value as written (up to the
 * next comma or closing bracket outside strings and brackets), the line itself, and what explains
 * it (the block's opening comments, those above it up to a blank line, and the keys of the objects
 * it stands in: `zlibInflateOptions` for its `chunkSize`). A value left open at the end of its
 * line (`perMessageDeflate: {`) is not one, but names the object that follows.
 */
function settingsOf(code: string): Setting[] {
  const out: Setting[] = [];
  const lines = code.split("\n");
  const comment = (line: string) => /^\s*(?:\/\/|#(?!!))/.test(line);
  const opening = lines
    .slice(1)
    .filter((_, i, all) => all.slice(0, i + 1).every(comment))
    .join(" ");
  let offset = 0;
  let above: string[] = [];
  let depth = 0;
  const objects: { key: string; depth: number }[] = [];
  for (const line of lines) {
    const start = offset;
    offset += line.length + 1;
    if (FENCE.test(line)) continue;
    if (comment(line)) {
      above.push(line);
      continue;
    }
    // Comments speak for the lines under them, up to a blank line.
    if (line.trim() === "") above = [];
    const comments = [opening, ...above, ...objects.map((object) => object.key)].join(" ");
    const code = line.replace(/\s(?:\/\/|#)\s.*$/, "");
    let open: string | undefined;
    for (const m of code.matchAll(SETTING_KEY)) {
      if (/^(?:case|default)$/.test(m[2])) continue;
      if (m[3] === "=" && !ASSIGNED.test(m[1])) continue;
      const from = (m.index ?? 0) + m[0].length;
      const rest = code.slice(from);
      const value = valueAt(code, from);
      if (FUNCTION.test(value ?? rest)) {
        out.push({
          key: m[2],
          line: line.trim(),
          start: start + (m.index ?? 0) + m[1].length,
          comments,
        });
        continue;
      }
      if (!value) {
        if (/^[{[]/.test(rest)) open = m[2];
        continue;
      }
      if (value.length > SETTING_VALUE_MAX || NOT_A_VALUE.test(value)) continue;
      out.push({
        key: m[2],
        value,
        line: line.trim(),
        start: start + (m.index ?? 0) + m[1].length,
        comments,
      });
    }
    depth += bracketDepth(code);
    while (objects.length > 0 && objects[objects.length - 1].depth > depth) objects.pop();
    if (open) objects.push({ key: open, depth });
  }
  return out;
}

/**
 * A line of code with what its strings hold blanked out (their quotes kept), so that the brackets
 * and commas inside them do not count; undefined when a string is left open at the end.
 */
function codeOnly(line: string): string | undefined {
  let out = "";
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (!quote) {
      if (char === "'" || char === '"' || char === "`") quote = char;
      out += char;
    } else if (char === "\\" && i + 1 < line.length) {
      out += "  ";
      i++;
    } else if (char === quote) {
      quote = "";
      out += char;
    } else out += " ";
  }
  return quote ? undefined : out;
}

/** How many more brackets a line opens than it closes, outside strings. */
function bracketDepth(line: string): number {
  let depth = 0;
  for (const char of codeOnly(line) ?? line) {
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
  }
  return depth;
}

/**
 * The value written from `from` up to the comma, semicolon or closing bracket that ends it,
 * outside strings and brackets; undefined when it is empty or still open at the end of the line.
 */
function valueAt(line: string, from: number): string | undefined {
  const code = codeOnly(line);
  if (code === undefined) return undefined;
  let depth = 0;
  let i = from;
  for (; i < code.length; i++) {
    const char = code[i];
    if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) {
      if (depth === 0) break;
      depth--;
    } else if ((char === "," || char === ";") && depth === 0) break;
  }
  const value = line.slice(from, i).trim();
  return value && depth === 0 ? value : undefined;
}

/** The last sentence of a paragraph, whole though its lines are wrapped by hand. */
function lastSentence(text: string): string {
  const sentences = sentencesOf(text)
    .map((sentence) => sentence.text.trim())
    .filter(Boolean);
  return sentences[sentences.length - 1] ?? text;
}
