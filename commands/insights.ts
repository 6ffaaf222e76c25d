import {
  type ChatInputCommandInteraction,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import { MAXIMA } from "../src/config.js";
import type { CommandContext } from "../src/discord/command.js";
import { mayModerate, refuseNonModerator } from "../src/discord/permissions.js";
import { insightsReply, notice } from "../src/discord/replies.js";
import { HistoryUnavailableError } from "../src/history/index.js";
import { questionsChart } from "../src/insights/chart.js";
import { insightsReport } from "../src/insights/report.js";
import { guildLibrary } from "../src/knowledgeBase.js";
import { logger } from "../src/logger.js";

/** The period /insights covers when none is given. */
const DEFAULT_DAYS = 30;

export const data = new SlashCommandBuilder()
  .setName("insights")
  .setDescription("What members asked, what the documents miss, which answers they disliked")
  // Hidden from members without Manage Server unless a server admin allows it; checked again below.
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
  .addIntegerOption((option) =>
    option
      .setName("days")
      .setDescription(`How many days back (default ${DEFAULT_DAYS})`)
      .setMinValue(1)
      .setMaxValue(MAXIMA.HISTORY_DAYS),
  );

export async function execute(
  interaction: ChatInputCommandInteraction,
  { assistant, config, history }: CommandContext,
): Promise<void> {
  if (!mayModerate(interaction, config.MOD_ROLE_IDS)) {
    await refuseNonModerator(interaction, "see insights");
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const days = interaction.options.getInteger("days") ?? DEFAULT_DAYS;
  const { knowledgeBase } = await assistant;
  // The documents this server's questions are answered from: the shared ones and its own.
  const own = await knowledgeBase.library(guildLibrary(interaction.guildId));
  const documents = [...knowledgeBase.manifest.documents, ...(own?.manifest.documents ?? [])].map(
    (doc) => doc.source,
  );
  let report: Awaited<ReturnType<typeof insightsReport>>;
  try {
    report = await insightsReport(history, {
      guildId: interaction.guildId,
      days,
      documents,
      embed: (texts) => knowledgeBase.embed(texts),
      historyDays: config.HISTORY_DAYS,
    });
  } catch (error) {
    if (!(error instanceof HistoryUnavailableError)) throw error;
    logger.error({ err: error }, "insights: history unavailable");
    await interaction.editReply(
      notice(
        `The record of questions (${error.where}) cannot be read just now; the bot's log says why. Answering goes on; try /insights later.`,
      ),
    );
    return;
  }
  // The chart is a picture of the counts above: without it, the report still goes out.
  const chart = await questionsChart(report.perDay).catch((error: unknown) => {
    logger.error({ err: error }, "insights chart failed");
    return undefined;
  });
  await interaction.editReply(insightsReply(report, chart));
}
