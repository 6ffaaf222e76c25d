import {
  type ChatInputCommandInteraction,
  MessageFlags,
  SlashCommandBuilder,
  time,
} from "discord.js";
import {
  answerQuestion,
  QUESTION_MAX,
  QUESTION_MIN,
  QuestionError,
  validateQuestion,
} from "../src/answer/answer.js";
import type { Answer } from "../src/answer/types.js";
import type { CommandContext } from "../src/discord/command.js";
import { newAnswerId, recordAnswer } from "../src/discord/feedback.js";
import { answerWithButtons, partialAnswerReply } from "../src/discord/replies.js";
import { throttledEdits } from "../src/discord/throttledEdits.js";

export const data = new SlashCommandBuilder()
  .setName("ask")
  .setDescription("Ask a question about the documents")
  .addStringOption((option) =>
    option
      .setName("question")
      .setDescription("Your question")
      .setRequired(true)
      .setMinLength(QUESTION_MIN)
      .setMaxLength(QUESTION_MAX),
  )
  .addBooleanOption((option) =>
    option
      .setName("private")
      .setDescription("Only you see the answer (default: the channel sees it)"),
  );

export async function execute(
  interaction: ChatInputCommandInteraction,
  { assistant, askCooldown, history }: CommandContext,
): Promise<void> {
  let question: string;
  try {
    question = validateQuestion(interaction.options.getString("question", true));
  } catch (error) {
    if (!(error instanceof QuestionError)) throw error;
    await interaction.reply({ content: error.message, flags: MessageFlags.Ephemeral });
    return;
  }
  const retryAt = askCooldown.take(interaction.user.id);
  if (retryAt) {
    await interaction.reply({
      content: `You can ask ${askCooldown.count} questions every ${askCooldown.seconds} seconds. Try again ${time(Math.ceil(retryAt.getTime() / 1000), "R")}.`,
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const ephemeral = interaction.options.getBoolean("private") ?? false;
  // Discord drops an interaction not acknowledged within 3 seconds; the answer comes as an edit.
  await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  // While a model writes, only its sentences that already passed the citation check are shown
  // (until the first one, Discord's "thinking…"); then the checked answer (or the quotes).
  const growing = throttledEdits((text) =>
    interaction.editReply(partialAnswerReply(question, text)),
  );
  let answer: Answer;
  try {
    answer = await answerQuestion(await assistant, question, {
      onPartial: growing.push,
      guildId: interaction.guildId,
    });
  } finally {
    await growing.finish();
  }
  // The buttons name the answer; it is recorded once the member has it.
  const answerId = newAnswerId();
  await interaction.editReply(answerWithButtons(answer, answerId));
  recordAnswer(history, answerId, answer, interaction);
}
