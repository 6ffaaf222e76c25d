import { type ChatInputCommandInteraction, MessageFlags, SlashCommandBuilder } from "discord.js";
import { lastChanges } from "../src/audit.js";
import type { CommandContext } from "../src/discord/command.js";
import { isModerator } from "../src/discord/permissions.js";
import { docsReply } from "../src/discord/replies.js";
import { guildLibrary } from "../src/knowledgeBase.js";

export const data = new SlashCommandBuilder()
  .setName("docs")
  .setDescription(
    "List the documents I answer from here (shared and this server's), and when they were indexed",
  );

/** How many of the server's last changes /docs shows its moderators. */
const CHANGES_SHOWN = 5;

export async function execute(
  interaction: ChatInputCommandInteraction,
  { assistant, config }: CommandContext,
): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { knowledgeBase } = await assistant;
  const { guildId } = interaction;
  if (!guildId) {
    await interaction.editReply(docsReply(knowledgeBase.manifest, knowledgeBase.skipped));
    return;
  }
  const server = await knowledgeBase.library(guildLibrary(guildId));
  const changes = isModerator(interaction, config.MOD_ROLE_IDS)
    ? await lastChanges(config.DATA_DIR, guildId, CHANGES_SHOWN)
    : undefined;
  await interaction.editReply(
    docsReply(
      knowledgeBase.manifest,
      knowledgeBase.skipped,
      { manifest: server?.manifest, skipped: server?.skipped ?? [] },
      changes,
    ),
  );
}
