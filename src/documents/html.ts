import { gfm } from "@joplin/turndown-plugin-gfm";
import TurndownService from "turndown";

// HTML becomes Markdown (turndown, with GitHub-flavoured tables and lists), so that an HTML page is
// cut by its headings, lists and tables exactly as a Markdown file is.
const turndown = new TurndownService({
  headingStyle: "atx",
  codeBlockStyle: "fenced",
  bulletListMarker: "-",
});
turndown.use(gfm);
turndown.remove(["script", "style", "noscript", "iframe", "template", "head"]);
// Images and link targets add nothing to read or to match; their text stays.
turndown.addRule("img", { filter: "img", replacement: () => "" });
turndown.addRule("a", { filter: "a", replacement: (content) => content });

/** The page's readable text as Markdown, and its `<title>` (entities decoded). */
export function htmlToMarkdown(html: string): { markdown: string; title?: string } {
  const titleHtml = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const title = titleHtml ? decodeEntities(titleHtml).replace(/\s+/g, " ").trim() : undefined;
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html;
  const markdown = turndown
    .turndown(body)
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { markdown, ...(title ? { title } : {}) };
}

/** Decodes HTML entities through turndown's parser, so a title reads as the browser shows it. */
function decodeEntities(text: string): string {
  return turndown.turndown(`<p>${text}</p>`).replace(/\\([\\`*_{}[\]()#+\-.!>|~])/g, "$1");
}
