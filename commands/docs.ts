import { type ChatInputCommandInteraction, MessageFlags, SlashCommandBuilder } from "discord.js";
import type { CommandContext } from "../src/discord/command.js";
import { docsReply } from "../src/discord/replies.js";

export const data = new SlashCommandBuilder()
  .setName("docs")
  .setDescription("List the documents I answer from, and when they were indexed");

export async function execute(
  interaction: ChatInputCommandInteraction,
  { assistant }: CommandContext,
): Promise<void> {
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const { knowledgeBase } = await assistant;
  await interaction.editReply(docsReply(knowledgeBase.manifest, knowledgeBase.skipped));
}
