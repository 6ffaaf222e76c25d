import {
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import type { CommandContext } from "../src/discord/command.js";
import { isModerator } from "../src/discord/permissions.js";
import { notice, reloadFailedReply, reloadReply } from "../src/discord/replies.js";
import { refreshAllShards } from "../src/discord/shards.js";
import { ReloadInProgressError } from "../src/knowledgeBase.js";
import { logger } from "../src/logger.js";

export const data = new SlashCommandBuilder()
  .setName("reload")
  .setDescription("Re-read the documents and rebuild the index")
  // Hidden from members without Manage Server unless a server admin allows it; checked again below.
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

export async function execute(
  interaction: ChatInputCommandInteraction,
  { assistant, config }: CommandContext,
): Promise<void> {
  if (!interaction.inGuild()) {
    await interaction.reply({
      content: "/reload works in a server, not in direct messages.",
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  if (!isModerator(interaction, config.MOD_ROLE_IDS)) {
    logger.info({ user: interaction.user.id, guild: interaction.guildId }, "reload refused");
    await interaction.reply({
      content:
        "Only moderators can reload the documents: members with the Manage Server permission or a moderator role.",
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { knowledgeBase } = await assistant;
  logger.info({ user: interaction.user.id, guild: interaction.guildId }, "reload started");
  try {
    const report = await knowledgeBase.reload();
    logger.info({ ...report, user: interaction.user.id }, "documents reloaded");
    // Started with `npm run start:sharded`: the other shards load the new index from disk.
    const shards = interaction.client.shard
      ? await refreshAllShards(interaction.client, knowledgeBase.manifest.builtAt)
      : undefined;
    await interaction.editReply(reloadReply(report, shards));
  } catch (error) {
    if (error instanceof ReloadInProgressError) {
      await interaction.editReply(
        notice(
          "A reload is already running. Its result goes to whoever started it; try again when it is done.",
        ),
      );
      return;
    }
    // The old index is still in place: say what went wrong and keep serving.
    logger.error({ err: error, user: interaction.user.id }, "reload failed");
    await interaction.editReply(reloadFailedReply(error as Error));
  }
}
