import path from "node:path";
import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type SlashCommandStringOption,
} from "discord.js";
import { type AuditEntry, recordChange } from "../src/audit.js";
import type { CommandContext } from "../src/discord/command.js";
import { isModerator, mayModerate, refuseNonModerator } from "../src/discord/permissions.js";
import {
  documentAddedReply,
  documentFailedReply,
  documentRemovedReply,
  type LibraryScope,
} from "../src/discord/replies.js";
import { refreshAllShards } from "../src/discord/shards.js";
import { ADDABLE, DocumentError, type RawDocument } from "../src/documents/extract.js";
import { downloadAttachment, fetchDocument } from "../src/documents/fetch.js";
import { addDocument, documentNames, removeDocument } from "../src/documents/manage.js";
import {
  guildLibrary,
  type Library,
  NoDocumentsError,
  ReloadInProgressError,
  SHARED,
} from "../src/knowledgeBase.js";
import { logger } from "../src/logger.js";

// Discord shows at most 25 suggestions, each at most 100 characters.
const SUGGESTIONS_MAX = 25;
const SUGGESTION_CHARS = 100;
const URL_MAX = 2000;

const scopeOption = (description: string) => (option: SlashCommandStringOption) =>
  option
    .setName("scope")
    .setDescription(description)
    .addChoices({ name: "this server", value: "server" }, { name: "shared", value: "shared" });

export const data = new SlashCommandBuilder()
  .setName("document")
  .setDescription("Add a document to this server's library, or remove one")
  // The same rule as /reload: hidden from members without Manage Server unless a server admin
  // allows it; checked again below.
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((add) =>
    add
      .setName("add")
      .setDescription("Add a file (.txt, .md, .html, .pdf) or a web page; give one of the two")
      .addAttachmentOption((option) =>
        option.setName("file").setDescription("A .txt, .md, .html or .pdf file"),
      )
      .addStringOption((option) =>
        option
          .setName("url")
          .setDescription("A link to a web page, a PDF or a text (http or https)")
          .setMaxLength(URL_MAX),
      )
      .addStringOption(scopeOption("shared: every server answers from it (bot owners only)")),
  )
  .addSubcommand((remove) =>
    remove
      .setName("remove")
      .setDescription("Remove a document from this server's library")
      .addStringOption((option) =>
        option
          .setName("document")
          .setDescription("The document's file name, as /docs lists it")
          .setRequired(true)
          .setAutocomplete(true),
      )
      .addStringOption(
        scopeOption("shared: remove from every server's documents (bot owners only)"),
      ),
  );

function scopeOf(interaction: ChatInputCommandInteraction | AutocompleteInteraction): LibraryScope {
  return interaction.options.getString("scope") === "shared" ? "shared" : "server";
}

function libraryOf(scope: LibraryScope, guildId: string): Library {
  return scope === "shared" ? SHARED : guildLibrary(guildId);
}

async function refuse(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}

export async function execute(
  interaction: ChatInputCommandInteraction,
  context: CommandContext,
): Promise<void> {
  const { config } = context;
  // Checked before anything is downloaded: a member who may not change documents changes nothing.
  if (!mayModerate(interaction, config.MOD_ROLE_IDS)) {
    await refuseNonModerator(interaction, "add or remove documents");
    return;
  }
  const scope = scopeOf(interaction);
  if (scope === "shared" && !config.OWNER_IDS.includes(interaction.user.id)) {
    await refuse(
      interaction,
      "Only the bot's owners (OWNER_IDS) can change the shared documents; leave out scope to change this server's.",
    );
    return;
  }
  const action = interaction.options.getSubcommand() === "remove" ? "remove" : "add";
  const audit = (
    fields: Pick<AuditEntry, "outcome"> & Partial<Pick<AuditEntry, "document" | "error">>,
  ) =>
    recordChange(config.DATA_DIR, {
      guildId: interaction.guildId,
      userId: interaction.user.id,
      userName: interaction.user.username,
      action,
      scope,
      ...fields,
    }).catch((error: unknown) => logger.error({ err: error }, "audit log not written"));
  if (action === "add") await add(interaction, context, scope, audit);
  else await remove(interaction, context, scope, audit);
}

type Audit = (
  fields: Pick<AuditEntry, "outcome"> & Partial<Pick<AuditEntry, "document" | "error">>,
) => Promise<void>;

async function add(
  interaction: ChatInputCommandInteraction<"cached" | "raw">,
  { assistant, config }: CommandContext,
  scope: LibraryScope,
  audit: Audit,
): Promise<void> {
  const file = interaction.options.getAttachment("file");
  const url = interaction.options.getString("url")?.trim();
  if (Boolean(file) === Boolean(url)) {
    await refuse(
      interaction,
      "Give exactly one of `file` (an attachment) and `url` (a link): `/document add file:<your file>` or `/document add url:https://…`.",
    );
    return;
  }
  const asked = file ? file.name : (url as string);
  if (file) {
    // Checked before downloading, from what Discord reports: the type by name now, by content later.
    const extension = path.extname(file.name).toLowerCase();
    const reason = !(extension in ADDABLE)
      ? `"${extension || "(no extension)"}" files are not taken: add a .txt, .md, .html or .pdf file.`
      : file.size > config.MAX_DOCUMENT_BYTES
        ? `The file is too large (${file.size.toLocaleString("en")} bytes; the limit is ${config.MAX_DOCUMENT_BYTES.toLocaleString("en")}, MAX_DOCUMENT_BYTES): split it and add the parts.`
        : file.size === 0
          ? "The file is empty (0 bytes)."
          : undefined;
    if (reason) {
      await audit({ outcome: "refused", document: asked, error: reason });
      await interaction.reply({
        ...documentFailedReply("add", reason),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
  }
  // Downloading, reading and indexing take seconds: acknowledged now, answered by an edit.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const library = libraryOf(scope, interaction.guildId);
  try {
    let raw: RawDocument;
    let origin: string;
    if (file) {
      raw = {
        name: file.name,
        bytes: await downloadAttachment(file.url, config.MAX_DOCUMENT_BYTES),
      };
      origin = file.name;
    } else {
      const fetched = await fetchDocument(url as string, {
        maxBytes: config.MAX_DOCUMENT_BYTES,
        allowPrivate: config.ALLOW_PRIVATE_URLS,
      });
      raw = { name: fetched.url, bytes: fetched.bytes, contentType: fetched.contentType };
      origin = fetched.url;
    }
    const result = await addDocument(await assistant, library, raw, origin);
    await audit({
      outcome: result.status === "unchanged" ? "unchanged" : "done",
      document: result.fileName,
    });
    logger.info({ ...result, example: result.example?.question, scope }, "document added");
    if (scope === "shared" && result.status !== "unchanged")
      await refreshShards(interaction, assistant);
    await interaction.editReply(documentAddedReply(result, scope));
  } catch (error) {
    await failed(interaction, "add", asked, error, audit);
  }
}

/** After a change of the shared documents: every shard loads the new index. */
async function refreshShards(
  interaction: ChatInputCommandInteraction,
  assistant: CommandContext["assistant"],
): Promise<void> {
  if (!interaction.client.shard) return;
  const { knowledgeBase } = await assistant;
  await refreshAllShards(interaction.client, knowledgeBase.manifest.builtAt);
}

async function remove(
  interaction: ChatInputCommandInteraction<"cached" | "raw">,
  { assistant }: CommandContext,
  scope: LibraryScope,
  audit: Audit,
): Promise<void> {
  const name = interaction.options.getString("document", true);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  try {
    const removed = await removeDocument(
      await assistant,
      libraryOf(scope, interaction.guildId),
      name,
    );
    await audit({ outcome: "done", document: removed.fileName });
    logger.info({ document: removed.fileName, scope }, "document removed");
    if (scope === "shared") await refreshShards(interaction, assistant);
    await interaction.editReply(documentRemovedReply(removed, scope));
  } catch (error) {
    await failed(interaction, "remove", name, error, audit);
  }
}

/** Tells the moderator why nothing changed, and records it; an unexpected error is rethrown. */
async function failed(
  interaction: ChatInputCommandInteraction,
  action: "add" | "remove",
  document: string,
  error: unknown,
  audit: Audit,
): Promise<void> {
  let reason: string;
  if (error instanceof DocumentError) reason = error.message;
  else if (error instanceof ReloadInProgressError)
    reason =
      "These documents are being rebuilt by another process (a reload, or npm run index): try again when it is done.";
  else if (error instanceof NoDocumentsError)
    reason = "It is the last shared document: the shared documents cannot be left empty.";
  else {
    await audit({ outcome: "failed", document, error: (error as Error).message });
    throw error;
  }
  await audit({ outcome: "refused", document, error: reason });
  await interaction.editReply(documentFailedReply(action, reason));
}

export async function autocomplete(
  interaction: AutocompleteInteraction,
  { assistant, config }: CommandContext,
): Promise<void> {
  const { guildId } = interaction;
  const scope = scopeOf(interaction);
  const allowed =
    guildId &&
    isModerator(interaction, config.MOD_ROLE_IDS) &&
    (scope === "server" || config.OWNER_IDS.includes(interaction.user.id));
  if (!allowed) {
    await interaction.respond([]);
    return;
  }
  const typed = interaction.options.getFocused().toLowerCase();
  const names = await documentNames(await assistant, libraryOf(scope, guildId));
  await interaction.respond(
    names
      .filter((name) => name.toLowerCase().includes(typed))
      .filter((name) => name.length <= SUGGESTION_CHARS)
      .slice(0, SUGGESTIONS_MAX)
      .map((name) => ({ name, value: name })),
  );
}
