import {
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import { type AuditEntry, recordChange } from "../src/audit.js";
import type { CommandContext } from "../src/discord/command.js";
import { mayModerate, refuseNonModerator } from "../src/discord/permissions.js";
import { notice, reloadFailedReply, reloadReply } from "../src/discord/replies.js";
import { refreshAllShards } from "../src/discord/shards.js";
import { guildLibrary, ReloadInProgressError } from "../src/knowledgeBase.js";
import { logger } from "../src/logger.js";

export const data = new SlashCommandBuilder()
  .setName("reload")
  .setDescription("Re-read the shared documents and this server's, and rebuild their indexes")
  // Hidden from members without Manage Server unless a server admin allows it; checked again below.
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild);

export async function execute(
  interaction: ChatInputCommandInteraction,
  { assistant, config }: CommandContext,
): Promise<void> {
  if (!mayModerate(interaction, config.MOD_ROLE_IDS)) {
    await refuseNonModerator(interaction, "reload the documents");
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { knowledgeBase } = await assistant;
  const { guildId, user } = interaction;
  logger.info({ user: user.id, guild: guildId }, "reload started");
  const audit = (outcome: AuditEntry["outcome"], error?: string) =>
    recordChange(config.DATA_DIR, {
      guildId,
      userId: user.id,
      userName: user.username,
      action: "reload",
      scope: "server",
      outcome,
      ...(error ? { error } : {}),
    }).catch((auditError: unknown) => logger.error({ err: auditError }, "audit log not written"));
  try {
    // The shared library and this server's own, each with its own index, side by side. The reply
    // waits for both: answering at the first failure would leave the other running, and the
    // moderator's next /reload told that one is still running.
    const [shared, own] = await Promise.allSettled([
      knowledgeBase.reload(),
      knowledgeBase.reload(undefined, guildLibrary(guildId)),
    ]);
    if (shared.status === "rejected") throw shared.reason;
    if (own.status === "rejected") throw own.reason;
    const [report, server] = [shared.value, own.value];
    logger.info({ ...report, server, user: user.id }, "documents reloaded");
    await audit("done");
    // Started with `npm run start:sharded`: the other shards load the new index from disk.
    const shards = interaction.client.shard
      ? await refreshAllShards(interaction.client, knowledgeBase.manifest.builtAt)
      : undefined;
    await interaction.editReply(reloadReply(report, shards, server));
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
    logger.error({ err: error, user: user.id }, "reload failed");
    await audit("failed", (error as Error).message);
    await interaction.editReply(reloadFailedReply(error as Error));
  }
}
