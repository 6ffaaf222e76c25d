import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { answerQuestion, QuestionError } from "../answer/answer.js";
import type { Answer } from "../answer/types.js";
import type { Assistant } from "../assistant.js";
import { runExtract } from "../index/build.js";
import { type Library, libraryFolders } from "../index/library.js";
import type { BuildReport } from "../knowledgeBase.js";
import { sentenceSpans } from "../text/sentences.js";
import { DocumentError, type ExtractedDocument, type RawDocument } from "./extract.js";
import { removeLeftovers, temporaryName } from "./leftovers.js";
import { readable } from "./load.js";

// A saved name's stem stays readable in /docs and in autocomplete (100 characters at most).
const NAME_MAX = 80;
// Example questions tried before the reply says none was found.
const EXAMPLES_TRIED = 8;

export interface AddResult {
  /** "unchanged": the same text is already in the library, as `fileName`. */
  status: "added" | "replaced" | "unchanged";
  /** The file name as saved in the library's folder. */
  fileName: string;
  title: string;
  chunks: number;
  /** A question the new document answers, with its answer; none found when undefined. */
  example?: Answer;
  report?: BuildReport;
}

/**
 * A file name for a document: its letters and digits, words joined by dashes, bounded, with the
 * extension of what is saved. Nothing else survives: no separator, no dot, no control character.
 */
export function safeFileName(stem: string, extension: ".txt" | ".md"): string {
  const words = stem
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, NAME_MAX)
    .replace(/-+$/, "");
  return `${words || "document"}${extension}`;
}

/** The name a document is saved under: a page's title (or its address), a file's own name. */
function stemFor(raw: RawDocument, extracted: ExtractedDocument): string {
  if (!/^https?:\/\//i.test(raw.name)) {
    const base = raw.name.split(/[\\/]/).pop() ?? "";
    return base.replace(/\.[^.]*$/, "");
  }
  if (extracted.title) return extracted.title;
  const url = new URL(raw.name);
  return `${url.hostname} ${url.pathname}`;
}

/** What is written to the library: where it came from, on the first line, then the text. */
async function savedContent(extracted: ExtractedDocument, origin: string): Promise<string> {
  const { title, text } = extracted;
  const heading =
    !title ||
    (await readable(text, extracted.format === "markdown" ? ".md" : ".txt")).heading === title
      ? ""
      : extracted.format === "markdown"
        ? `# ${title}\n\n`
        : `${title}\n\n`;
  // A comment cannot hold "--"; the origin is a link or a file name.
  const from = `${origin.replaceAll("--", "- -")} on ${new Date().toISOString()}`;
  const body = `${heading}${text.trim()}\n`;
  return `<!-- added from ${from} -->\n${body}`;
}

/**
 * Adds a document to a library: its text is extracted off the event loop, saved atomically
 * (a temporary file in the same folder, then renamed), and only that library's index is rebuilt;
 * questions are answered from the previous index meanwhile. When anything fails, the library is
 * left as it was. The same text twice is "unchanged"; a new text under a saved name replaces it.
 */
export async function addDocument(
  assistant: Assistant,
  library: Library,
  raw: RawDocument,
  origin: string,
): Promise<AddResult> {
  const { config, knowledgeBase } = assistant;
  const extracted = await runExtract(raw);
  const extension = extracted.format === "markdown" ? ".md" : ".txt";
  const fileName = safeFileName(stemFor(raw, extracted), extension);
  const content = await savedContent(extracted, origin);
  const size = Buffer.byteLength(content);
  if (size > config.MAX_DOCUMENT_BYTES) {
    throw new DocumentError(
      `Its text is too large (${size.toLocaleString("en")} bytes; the limit is ${config.MAX_DOCUMENT_BYTES.toLocaleString("en")}, MAX_DOCUMENT_BYTES): split it and add the parts.`,
    );
  }
  const { docsDir } = libraryFolders(config, library);
  const text = (await readable(content, extension)).text;
  const final = path.join(docsDir, fileName);
  let status: AddResult["status"] = "added";
  let existing: string | undefined;
  const report = await knowledgeBase.change(library, async () => {
    await mkdir(docsDir, { recursive: true });
    await removeLeftovers(docsDir);
    // The library as its store has it: a database's holds documents added on other machines.
    const documents = await knowledgeBase.documents(library);
    existing = documents.find((doc) => doc.text === text)?.source;
    if (existing) return undefined;
    // Saved on another machine under that name (a database's library): this one replaces it.
    if (documents.some((doc) => doc.source === fileName)) status = "replaced";
    const temporary = path.join(docsDir, temporaryName("adding", fileName));
    const previous = path.join(docsDir, temporaryName("replaced", fileName));
    let movedAside = false;
    try {
      await writeFile(temporary, content, { flag: "wx" });
      if (await exists(final)) {
        await rename(final, previous);
        movedAside = true;
        status = "replaced";
      }
      await rename(temporary, final);
    } catch (error) {
      await rm(temporary, { force: true });
      if (movedAside) await rename(previous, final).catch(() => {});
      throw error;
    }
    return {
      undo: async () => {
        await rm(final, { force: true });
        if (movedAside) await rename(previous, final);
      },
      commit: () => rm(previous, { force: true }),
      added: { source: fileName, content },
    };
  });
  const index = await knowledgeBase.library(library);
  const saved = index?.manifest.documents.find((doc) => doc.source === (existing ?? fileName));
  if (!report) {
    return {
      status: "unchanged",
      fileName: existing ?? fileName,
      title: saved?.title ?? extracted.title ?? fileName,
      chunks: saved?.chunks ?? 0,
    };
  }
  const title = saved?.title ?? extracted.title ?? fileName;
  const example = await exampleQuestion(assistant, library, fileName, title, text);
  return {
    status,
    fileName,
    title,
    chunks: saved?.chunks ?? 0,
    report,
    ...(example ? { example } : {}),
  };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Questions a reader might ask of the document: about its title and headings, and about the
 * subjects its first sentences open with.
 */
function candidateQuestions(title: string, text: string): string[] {
  const headings = [...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => match[1].trim());
  const subjects = sentenceSpans(text.slice(0, 4000).replace(/^#{1,6}\s+.+$/gm, ""))
    .slice(0, 6)
    .map((sentence) => {
      // The words before the verb: "The Zorblat lantern festival takes place..." → its subject.
      const words = sentence.text
        .replace(/[^\p{L}\p{N}\s'-]/gu, " ")
        .split(/\s+/)
        .filter(Boolean);
      const verb = words.findIndex(
        (word, i) =>
          i > 0 && /^(is|are|was|were|has|have|had|takes|will|can|must|should|[a-z]+s)$/.test(word),
      );
      return words.slice(0, verb > 0 ? Math.min(verb + 1, 8) : 6).join(" ");
    })
    .filter((subject) => subject.split(" ").length >= 2);
  const questions = [
    ...subjects.map(
      (subject) =>
        `What about ${subject.replace(/\s+\S+$/, "").replace(/^(The|A|An) /, (a) => a.toLowerCase())}?`,
    ),
    ...[title, ...headings].map((topic) => `What is ${topic}?`),
    ...subjects.map((subject) => `${subject}?`),
  ];
  return [...new Set(questions)];
}

/** One question the new document answers, asked through answerQuestion so it is known to work. */
async function exampleQuestion(
  assistant: Assistant,
  library: Library,
  fileName: string,
  title: string,
  text: string,
): Promise<Answer | undefined> {
  const guildId = library.kind === "guild" ? library.guildId : undefined;
  for (const question of candidateQuestions(title, text).slice(0, EXAMPLES_TRIED)) {
    try {
      const answer = await answerQuestion(assistant, question, { guildId });
      const fromIt = answer.sources.some(
        (source) => source.source === fileName && source.library === library.kind,
      );
      if (answer.answered && fromIt) return answer;
    } catch (error) {
      if (!(error instanceof QuestionError)) throw error;
    }
  }
  return undefined;
}

/** The documents of a library, as saved (for autocomplete and for /document remove). */
export async function documentNames(assistant: Assistant, library: Library): Promise<string[]> {
  const index = await assistant.knowledgeBase.library(library);
  return (index?.manifest.documents ?? []).map((doc) => doc.source);
}

/**
 * Removes a document from a library: moved aside, the library's index rebuilt without it, then
 * deleted; when the build fails, it is put back. The name is the file name as saved, or a title.
 */
export async function removeDocument(
  assistant: Assistant,
  library: Library,
  name: string,
): Promise<{ fileName: string; title: string; report: BuildReport }> {
  const { config, knowledgeBase } = assistant;
  const { docsDir } = libraryFolders(config, library);
  const documents = (await knowledgeBase.library(library))?.manifest.documents ?? [];
  const wanted = name.trim();
  const found =
    documents.find((doc) => doc.source === wanted) ??
    documents.find((doc) => doc.title.toLowerCase() === wanted.toLowerCase());
  if (!found) {
    const where = library.kind === "shared" ? "the shared documents" : "this server's documents";
    throw new DocumentError(
      `There is no "${wanted}" in ${where}: pick one from the list, or see /docs.`,
    );
  }
  // Names come from the index of this very folder; checked all the same.
  const file = path.resolve(docsDir, found.source);
  if (!file.startsWith(`${path.resolve(docsDir)}${path.sep}`))
    throw new DocumentError(`"${found.source}" is not inside the library's folder.`);
  const aside = path.join(path.dirname(file), temporaryName("removing", path.basename(file)));
  const report = await knowledgeBase.change(library, async () => {
    try {
      await rename(file, aside);
    } catch (error) {
      // A store that keeps documents itself may hold one this machine's folder never had (added
      // on another machine): it is removed from the store, with nothing to move aside here.
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && knowledgeBase.keepsDocuments)
        return { removed: found.source };
      throw new DocumentError(`"${found.source}" was removed already: see /docs.`);
    }
    return {
      undo: () => rename(aside, file),
      commit: () => rm(aside, { force: true }),
      removed: found.source,
    };
  });
  if (!report) throw new Error("a removal made no change");
  // A store that keeps documents itself: removed meanwhile on another machine (this one's list was
  // older), with only this machine's copy of the file left, now gone too.
  if (knowledgeBase.keepsDocuments && !report.removed.includes(found.source))
    throw new DocumentError(`"${found.source}" was removed already: see /docs.`);
  return { fileName: found.source, title: found.title, report };
}
