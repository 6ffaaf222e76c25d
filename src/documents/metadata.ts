import path from "node:path";
import { plainInline } from "../text/structure.js";

export interface DocumentMetadata {
  title: string;
  date?: string;
}

// A leading "date YYYY-MM-DD" marker, as the news feeds we ingest put before the headline.
const DATE_MARKER = /^\s*date\s+(\d{4}-\d{2}-\d{2})\b\s*/i;

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? ""
  );
}

/** Title and date of a plain-text or markdown document, from its first line (or first heading). */
export function extractMetadata(
  text: string,
  fileName: string,
  heading?: string,
): DocumentMetadata {
  let line = heading ?? firstLine(text);
  let date: string | undefined;
  const marker = DATE_MARKER.exec(line);
  if (marker) {
    date = marker[1];
    line = line.slice(marker[0].length);
  }
  const title = line.replace(/^#+\s*/, "").trim() || path.parse(fileName).name;
  return date ? { title, date } : { title };
}

/** The first heading of a Markdown text (ATX or Setext), as plain words: badges and links left out. */
export function markdownHeading(text: string): string | undefined {
  const heading = /^#{1,6}\s+(.+?)\s*#*\s*$|^([^\n]+)\n(?:=+|-+)\s*$/m.exec(text);
  const found = heading?.[1] ?? heading?.[2];
  return found ? plainInline(found) || undefined : undefined;
}
