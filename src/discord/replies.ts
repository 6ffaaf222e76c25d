import { type APIEmbedField, EmbedBuilder, escapeMarkdown, time } from "discord.js";
import type { Answer, Source } from "../answer/types.js";
import type { AuditEntry } from "../audit.js";
import type { SkippedFile } from "../documents/load.js";
import type { AddResult } from "../documents/manage.js";
import type { Manifest } from "../index/manifest.js";
import type { BuildReport } from "../knowledgeBase.js";
import type { ShardsRefreshed } from "./shards.js";

/** A reply made of one embed: fits both a first reply and an edit of a deferred one. */
export interface EmbedReply {
  embeds: EmbedBuilder[];
}

/** Discord's limits on a message, in characters; a message over any of them is rejected. */
export const LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  fields: 25,
  embedTotal: 6000,
} as const;

const ELLIPSIS = "…";
/** The quote shown under each source: a glimpse, the answer above holds the full sentence. */
const QUOTE_MAX = 300;
/** Fewer sources than Discord allows fields, so that the answer keeps most of the room. */
const SOURCES_MAX = 10;
/**
 * The room each source keeps at least when the answer is long (name and value together): the
 * answer takes the rest of the message's 6,000 characters first, then the sources share what it
 * leaves.
 */
const SOURCE_FIELD_MIN = 150;
const COLORS = { answered: 0x2e8b57, refused: 0x808080, info: 0x5865f2, failed: 0xcc3333 };

/**
 * Cuts text to at most max characters: after the last whole sentence when that keeps most of
 * it, otherwise after the last whole word, and marks the cut with an ellipsis.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - ELLIPSIS.length;
  // One character more than fits, to see whether a word or sentence ends exactly at the limit.
  const head = text.slice(0, room + 1);
  let sentenceEnd = -1;
  for (const match of head.matchAll(/[.!?…]["'”’)\]]*(?=\s)/g)) {
    const end = match.index + match[0].length;
    if (end + 1 <= room) sentenceEnd = end;
  }
  if (sentenceEnd >= room / 2) return `${text.slice(0, sentenceEnd)} ${ELLIPSIS}`;
  const space = head.search(/\s\S*$/);
  let cut = space >= room / 2 ? text.slice(0, space) : text.slice(0, room);
  // Neither half a surrogate pair nor a dangling escape may end the text.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  cut = cut.replace(/[\s,;:\-–—\\]+$/u, "");
  return `${cut}${ELLIPSIS}`;
}

/** As many whole lines as fit in max characters, then how many were left out. */
export function fitLines(lines: string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const rest = lines.length - i - 1;
    const more = rest > 0 ? `\n… and ${rest} more`.length : 0;
    const next = truncate(line, LIMITS.fieldValue);
    if (length + next.length + 1 + more > max) {
      kept.push(`… and ${lines.length - i} more`);
      break;
    }
    kept.push(next);
    length += next.length + 1;
  }
  return truncate(kept.join("\n"), max);
}

/** A plain-text reply that fits in a message. */
export function notice(text: string): string {
  return truncate(text, LIMITS.content);
}

function embedLength(embed: EmbedBuilder): number {
  const { title, description, footer, author, fields } = embed.data;
  return (
    (title?.length ?? 0) +
    (description?.length ?? 0) +
    (footer?.text.length ?? 0) +
    (author?.name.length ?? 0) +
    (fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

/** Sets the description in whatever room the rest of the embed leaves under the message total. */
function setDescription(embed: EmbedBuilder, description: string): EmbedBuilder {
  const room = Math.min(LIMITS.description, LIMITS.embedTotal - embedLength(embed));
  return embed.setDescription(truncate(description, room));
}

/**
 * Text that Discord shows as written: no markdown, and nothing that could become a link, a
 * mention, a heading or a list. escapeMarkdown leaves masked links ("[text](url)") and "<@id>"
 * mentions, channels and timestamps alone, so their "(" and "<" are escaped here. Bare URLs stay
 * clickable: an answer's are checked against its sources first (see checkCitations).
 */
export function plainText(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true })
    .replaceAll("](", "]\\(")
    .replaceAll("<", "\\<");
}

function fieldLength(field: APIEmbedField): number {
  return field.name.length + field.value.length;
}

/** The field cut to at most max characters, name and value together (its name keeps at least half). */
function shrinkField(field: APIEmbedField, max: number): APIEmbedField {
  if (fieldLength(field) <= max) return field;
  const name = truncate(field.name, Math.max(Math.floor(max / 2), max - field.value.length));
  return { name, value: truncate(field.value, max - name.length) };
}

/**
 * The fields cut to share room characters: each gets an equal share, and what a short one leaves
 * goes to the longer ones.
 */
function fitFields(fields: APIEmbedField[], room: number): APIEmbedField[] {
  const fitted: APIEmbedField[] = [...fields];
  let left = room;
  let remaining = fields.length;
  const shortestFirst = fields
    .map((field, i) => ({ field, i }))
    .sort((a, b) => fieldLength(a.field) - fieldLength(b.field));
  for (const { field, i } of shortestFirst) {
    fitted[i] = shrinkField(field, Math.floor(left / remaining));
    left -= fieldLength(fitted[i]);
    remaining--;
  }
  return fitted;
}

function field(name: string, value: string): APIEmbedField {
  return { name: truncate(name, LIMITS.fieldName), value: truncate(value, LIMITS.fieldValue) };
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function dated(title: string, date: string | undefined): string {
  return date ? `${title} (${date})` : title;
}

/**
 * A cited source: its document and chunk, and a short quote only when the answer does not already
 * show it (an extractive answer quotes it; a model's answer says it in its own words).
 */
function sourceField(source: Source, answerText: string): APIEmbedField {
  const quoted = source.quote.replace(/\s+/g, " ").trim();
  const shown = answerText.replace(/\s+/g, " ").includes(quoted.replace(/^… | …$/g, ""));
  const library = source.library === "guild" ? " (this server)" : "";
  const where = `${escapeMarkdown(source.source)}${library}, chunk ${source.chunk}`;
  const quote = shown ? "" : `\n> ${truncate(plainText(quoted), QUOTE_MAX)}`;
  return field(`[${source.n}] ${dated(source.title, source.date)}`, `${where}${quote}`);
}

// The extractive answer's own formatting: the direct answer in bold on its first line.
const DIRECT_ANSWER = /^\\\*\\\*(.+?)\\\*\\\*( \[\d+\])/;

/**
 * The answer: its text with numbered citations, one field per cited source, mode and time. The
 * whole embed stays within Discord's 6,000 characters for any number of sources: the answer's text
 * gets the room that the title, the footer and a minimum per source leave, the sources share the
 * rest.
 */
export function answerReply(answer: Answer): EmbedReply {
  const title = truncate(answer.question, LIMITS.title);
  const footer = truncate(
    [answer.mode, formatMs(answer.ms), answer.fallback, answer.note].filter(Boolean).join(" · "),
    LIMITS.footer,
  );
  const sources = answer.sources
    .slice(0, SOURCES_MAX)
    .map((source) => sourceField(source, answer.answer));
  // Neither quotes of the documents nor a model's words are read as markdown, links or mentions;
  // only the direct answer the extractive answerer puts first is bold.
  const escaped = plainText(answer.answer);
  const text = answer.mode === "extractive" ? escaped.replace(DIRECT_ANSWER, "**$1**$2") : escaped;
  const description = answer.answered
    ? text
    : `${text}\nTry other words, or see /docs for what the documents cover.`;
  const sourcesLength = sources.reduce((sum, source) => sum + fieldLength(source), 0);
  const fixed = title.length + footer.length;
  const sourcesFloor = Math.min(sourcesLength, sources.length * SOURCE_FIELD_MIN);
  const shown = truncate(
    description,
    Math.min(LIMITS.description, LIMITS.embedTotal - fixed - sourcesFloor),
  );
  const embed = new EmbedBuilder()
    .setColor(answer.answered ? COLORS.answered : COLORS.refused)
    .setTitle(title)
    .setDescription(shown)
    .setFooter({ text: footer })
    .addFields(fitFields(sources, LIMITS.embedTotal - fixed - shown.length));
  return { embeds: [embed] };
}

/**
 * A model's answer while it is being written: only its sentences that already passed the check
 * (see checkedPartial), replaced by the checked answer at the end.
 */
export function partialAnswerReply(question: string, text: string): EmbedReply {
  const embed = new EmbedBuilder()
    .setColor(COLORS.info)
    .setTitle(truncate(question, LIMITS.title))
    .setFooter({ text: "llm · writing…" });
  return { embeds: [setDescription(embed, plainText(text))] };
}

/** A library's documents, as /docs lists them. */
export interface LibraryListing {
  manifest: Manifest | undefined;
  skipped: SkippedFile[];
}

function documentLines(manifest: Manifest | undefined, mark: string): string[] {
  return (manifest?.documents ?? []).map(
    (doc) =>
      `• ${mark}**${escapeMarkdown(dated(doc.title, doc.date))}**: ${doc.chunks} chunk${doc.chunks === 1 ? "" : "s"} (${escapeMarkdown(doc.source)})`,
  );
}

const CHANGE_VERBS: Record<AuditEntry["action"], string> = {
  add: "added",
  remove: "removed",
  reload: "reloaded",
};

function changeLine(entry: AuditEntry): string {
  const what = entry.document ? ` ${escapeMarkdown(entry.document)}` : "";
  const scope = entry.scope === "shared" ? " (shared)" : "";
  const outcome =
    entry.outcome === "done" ? "" : `: ${entry.outcome}${entry.error ? `, ${entry.error}` : ""}`;
  return `${time(new Date(entry.time), "R")} ${escapeMarkdown(entry.userName)} ${CHANGE_VERBS[entry.action]}${what}${scope}${escapeMarkdown(outcome)}`;
}

/**
 * The documents questions here are answered from, the server's own marked as such, and when
 * the shared index was built; for moderators, the server's last changes.
 */
export function docsReply(
  shared: Manifest,
  skipped: SkippedFile[],
  server?: LibraryListing,
  changes?: AuditEntry[],
): EmbedReply {
  const mine = documentLines(server?.manifest, "🏠 ");
  const lines = [...mine, ...documentLines(shared, "")];
  const count = server ? `${mine.length} of this server's, ${shared.documents.length} shared` : "";
  const built = new Date(shared.builtAt);
  const embed = new EmbedBuilder()
    .setColor(COLORS.info)
    .setTitle(`Documents (${lines.length})`)
    .addFields(
      field(
        "Index",
        `Built ${time(built, "f")} (${time(built, "R")}): ${shared.chunks} chunks, ${shared.embeddings.provider} embeddings (${shared.embeddings.model}).`,
      ),
    );
  if (server) {
    embed.addFields(
      field(
        "Libraries",
        `${count}. 🏠 marks this server's own documents (moderators: /document add, /document remove); the others are shared by every server.`,
      ),
    );
  }
  const allSkipped = [...(server?.skipped ?? []), ...skipped];
  if (allSkipped.length) embed.addFields(skippedField(allSkipped));
  if (changes?.length) {
    embed.addFields(
      field("Last changes in this server", fitLines(changes.map(changeLine), LIMITS.fieldValue)),
    );
  }
  return { embeds: [setDescription(embed, fitLines(lines, LIMITS.description))] };
}

function skippedField(skipped: SkippedFile[]): APIEmbedField {
  const reasons = skipped.map((file) => escapeMarkdown(`${file.source}: ${file.reason}`));
  return field(`Skipped (${skipped.length})`, fitLines(reasons, LIMITS.fieldValue));
}

function changeFields(report: BuildReport, prefix = ""): APIEmbedField[] {
  const list = (names: string[]) =>
    fitLines(
      names.map((name) => escapeMarkdown(name)),
      LIMITS.fieldValue,
    );
  const fields: APIEmbedField[] = [];
  if (report.added.length)
    fields.push(field(`${prefix}Added (${report.added.length})`, list(report.added)));
  if (report.changed.length)
    fields.push(field(`${prefix}Changed (${report.changed.length})`, list(report.changed)));
  if (report.removed.length)
    fields.push(field(`${prefix}Removed (${report.removed.length})`, list(report.removed)));
  return fields;
}

function unchanged(report: BuildReport): boolean {
  return report.added.length + report.changed.length + report.removed.length === 0;
}

/**
 * What a reload changed, and, when the bot runs as several shards, how many took it up. `server`:
 * the reload of the server's own library, done with the shared one.
 */
export function reloadReply(
  report: BuildReport,
  shards?: ShardsRefreshed,
  server?: BuildReport,
): EmbedReply {
  const fields = [
    ...changeFields(report),
    ...(server ? changeFields(server, "This server: ") : []),
  ];
  const skipped = [...report.skipped, ...(server?.skipped ?? [])];
  if (skipped.length) fields.push(skippedField(skipped));
  const nothing = unchanged(report) && (!server || unchanged(server));
  const changed = nothing ? " No document was added, changed or removed." : "";
  const own = server
    ? ` This server's own library: ${server.documents} documents, ${server.chunks} chunks.`
    : "";
  const embed = new EmbedBuilder()
    .setColor(COLORS.answered)
    .setTitle("Documents reloaded")
    .addFields(fields.slice(0, LIMITS.fields));
  return {
    embeds: [
      setDescription(
        embed,
        `${report.documents} documents, ${report.chunks} chunks, indexed in ${formatMs(report.ms + (server?.ms ?? 0))}; ${shards ? shardsNote(shards) : "questions are answered from the new index now."}${own}${changed}`,
      ),
    ],
  };
}

function shardsNote({ refreshed, total }: ShardsRefreshed): string {
  const note = `${refreshed} of ${total} shards now answer from the new index`;
  if (refreshed === total) return `${note}.`;
  return `${note}; the others keep the index they had until the next /reload or restart (the bot's logs say why).`;
}

/** A reload that failed: the old index still serves. */
export function reloadFailedReply(error: Error): EmbedReply {
  const embed = new EmbedBuilder()
    .setColor(COLORS.failed)
    .setTitle("Reload failed")
    .addFields(field("Error", escapeMarkdown(error.message)));
  return {
    embeds: [
      setDescription(
        embed,
        "Nothing changed: questions are still answered from the previous index.",
      ),
    ],
  };
}

export interface HelpCommand {
  usage: string;
  description: string;
}

/** What the bot answers, its commands, and example questions. */
export function helpReply(commands: HelpCommand[], examples: string[]): EmbedReply {
  const embed = new EmbedBuilder()
    .setColor(COLORS.info)
    .setTitle("What I answer")
    .addFields(
      field(
        "Commands",
        fitLines(
          commands.map((c) => `\`${c.usage}\`: ${c.description}`),
          LIMITS.fieldValue,
        ),
      ),
      field(
        "Examples",
        fitLines(
          examples.map((q) => `/ask question: ${escapeMarkdown(q)}`),
          LIMITS.fieldValue,
        ),
      ),
    );
  const about =
    "I answer questions from this server's documents (see /docs), citing them with numbered " +
    "sources. When the documents do not hold the answer, I say so instead of guessing.";
  return { embeds: [setDescription(embed, about)] };
}

/** Where a document was added or removed, as a moderator reads it. */
export type LibraryScope = "server" | "shared";

function libraryName(scope: LibraryScope): string {
  return scope === "shared" ? "the shared documents (every server)" : "this server's documents";
}

/** What an add did: the title, the chunks, and an example question it answers (checked). */
export function documentAddedReply(result: AddResult, scope: LibraryScope): EmbedReply {
  const name = escapeMarkdown(result.fileName);
  if (result.status === "unchanged") {
    return {
      embeds: [
        new EmbedBuilder()
          .setColor(COLORS.info)
          .setTitle("Already there")
          .setDescription(
            truncate(
              `The same text is already in ${libraryName(scope)} as ${name} (**${escapeMarkdown(result.title)}**). Nothing changed.`,
              LIMITS.description,
            ),
          ),
      ],
    };
  }
  const replaced =
    result.status === "replaced" ? ` It replaces the earlier version of ${name}.` : "";
  const fields = [field("Saved as", `${name} in ${libraryName(scope)}`)];
  if (result.example) {
    const answer = result.example.answer.replace(/\s+/g, " ");
    fields.push(
      field(
        "Try",
        `/ask question: ${escapeMarkdown(result.example.question)}\n> ${truncate(plainText(answer), QUOTE_MAX)}`,
      ),
    );
  } else {
    fields.push(
      field(
        "Try",
        "I found no example question that it answers on its own; ask about its content.",
      ),
    );
  }
  const embed = new EmbedBuilder()
    .setColor(COLORS.answered)
    .setTitle(truncate(`Added: ${result.title}`, LIMITS.title))
    .addFields(fields);
  return {
    embeds: [
      setDescription(
        embed,
        `**${escapeMarkdown(result.title)}**: ${result.chunks} chunk${result.chunks === 1 ? "" : "s"} added; questions are answered from it now.${replaced}`,
      ),
    ],
  };
}

export function documentRemovedReply(
  removed: { fileName: string; title: string; report: BuildReport },
  scope: LibraryScope,
): EmbedReply {
  const embed = new EmbedBuilder()
    .setColor(COLORS.answered)
    .setTitle(truncate(`Removed: ${removed.title}`, LIMITS.title));
  return {
    embeds: [
      setDescription(
        embed,
        `${escapeMarkdown(removed.fileName)} is no longer in ${libraryName(scope)}, nor answered from. ${removed.report.documents} document${removed.report.documents === 1 ? "" : "s"} left there.`,
      ),
    ],
  };
}

/** An add or a removal that did not happen: why, and that nothing changed. */
export function documentFailedReply(action: "add" | "remove", reason: string): EmbedReply {
  const embed = new EmbedBuilder()
    .setColor(COLORS.failed)
    .setTitle(action === "add" ? "Not added" : "Not removed")
    .addFields(field("Why", escapeMarkdown(reason)));
  return {
    embeds: [setDescription(embed, "Nothing changed: questions are answered as before.")],
  };
}
