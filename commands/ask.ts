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
import { inTurn, within } from "../src/discord/inTurn.js";
import { answerWithButtons, partialAnswerReply } from "../src/discord/replies.js";
import { throttledEdits } from "../src/discord/throttledEdits.js";

/**
 * How long after Discord created the interaction an answer may take to go in the response itself;
 * past it the interaction is deferred, well within Discord's 3-second deadline for any response.
 */
const REPLY_BUDGET_MS = 1500;

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
  { assistant, askCooldown, config, history }: CommandContext,
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
  const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
  // Quoting takes milliseconds: with the index open, the answer goes in the interaction response
  // itself, one request instead of a deferral and an edit; when it is not ready within the budget,
  // a deferral goes first. A model or an embedding service (network), or an index still opening
  // (its start can hold the event loop) get a deferral first, then the answer as an edit.
  const computesOnly = config.LLM_PROVIDER === "none" && config.EMBEDDINGS === "local";
  const ready = computesOnly && (await Promise.race([assistant, undefined]));
  // The buttons name the answer; it is recorded once the member has it.
  const answerId = newAnswerId();
  if (ready) {
    const answering = inTurn(() =>
      answerQuestion(ready, question, { guildId: interaction.guildId }),
    );
    const age = Math.max(0, Date.now() - interaction.createdTimestamp);
    const quick = await within(answering, REPLY_BUDGET_MS - age);
    if (quick) {
      await interaction.reply({ ...answerWithButtons(quick, answerId), flags });
    } else {
      await interaction.deferReply({ flags });
      await interaction.editReply(answerWithButtons(await answering, answerId));
    }
    recordAnswer(history, answerId, quick ?? (await answering), interaction);
    return;
  }
  // Discord drops an interaction not acknowledged within 3 seconds.
  await interaction.deferReply({ flags });
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
  await interaction.editReply(answerWithButtons(answer, answerId));
  recordAnswer(history, answerId, answer, interaction);
}
