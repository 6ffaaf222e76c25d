import { randomBytes } from "node:crypto";
import {
  type ButtonInteraction,
  DiscordAPIError,
  MessageFlags,
  type ModalSubmitInteraction,
  RESTJSONErrorCodes,
  type ThreadChannel,
} from "discord.js";
import { answerQuestion, QuestionError, validateQuestion } from "../answer/answer.js";
import type { Answer } from "../answer/types.js";
import {
  type History,
  HistoryUnavailableError,
  type KnownAnswer,
  type Vote,
} from "../history/index.js";
import { logger } from "../logger.js";
import type { CommandContext } from "./command.js";
import {
  answerWithButtons,
  FOLLOW_UP_FIELD,
  followUpModal,
  notice,
  parseAnswerCustomId,
  threadName,
} from "./replies.js";

/** How far back a follow-up's earlier questions are looked up. */
const PREVIOUS_MAX = 3;
/** How long a follow-up thread stays open without messages, in minutes (a day). */
const THREAD_ARCHIVE_MINUTES = 1440;
const VOTE_EMOJI: Record<Vote, string> = { up: "👍", down: "👎" };

/** A new answer id for buttons: random, short enough for a custom id, never reused. */
export function newAnswerId(): string {
  return randomBytes(9).toString("base64url");
}

/** Where an answer was given, for its record. */
interface Where {
  guildId: string | null;
  channelId: string | null;
  user: { id: string };
}

/**
 * Records an answer once it has been sent: never awaited by the reply, and a record that cannot
 * be written is logged, not shown to anyone.
 */
export function recordAnswer(
  history: History,
  answerId: string,
  answer: Answer,
  where: Where,
  parentId?: string,
): void {
  history
    .record({
      id: answerId,
      at: new Date(),
      guildId: where.guildId ?? undefined,
      channelId: where.channelId ?? undefined,
      userId: where.user.id,
      question: answer.question,
      answer: answer.answer,
      answered: answer.answered,
      mode: answer.mode,
      ms: answer.ms,
      sources: [...new Set(answer.sources.map((source) => source.source))],
      parentId,
    })
    .catch((error: unknown) =>
      logger.error(
        { err: error, answer: answerId },
        "could not record the answer; answering goes on",
      ),
    );
}

function privately(interaction: ButtonInteraction | ModalSubmitInteraction, text: string) {
  return interaction.reply({ content: notice(text), flags: MessageFlags.Ephemeral });
}

/**
 * The answer a button or form names, when it belongs to where it was used; otherwise the member is
 * told why in a short private reply and undefined is returned. `null` means the record of use
 * cannot be read just now.
 */
async function knownAnswer(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  history: History,
  answerId: string,
): Promise<KnownAnswer | null | undefined> {
  let known: KnownAnswer | undefined;
  try {
    known = await history.find(answerId);
  } catch (error) {
    if (!(error instanceof HistoryUnavailableError)) throw error;
    logger.error({ err: error }, "history unavailable");
    return null;
  }
  if (!known) {
    await privately(
      interaction,
      "I no longer know this answer (it may be older than what I keep). Ask again with /ask.",
    );
    return undefined;
  }
  if (known.guildId !== (interaction.guildId ?? undefined)) {
    await privately(interaction, "This answer belongs to another server: use /ask here.");
    return undefined;
  }
  return known;
}

/** A click on an answer's button, or the follow-up form sent. */
export async function handleAnswerComponent(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  context: CommandContext,
): Promise<void> {
  const parsed = parseAnswerCustomId(interaction.customId);
  if (!parsed) {
    await privately(interaction, "This button no longer does anything. Try /help.");
    return;
  }
  const { action, answerId } = parsed;
  const known = await knownAnswer(interaction, context.history, answerId);
  if (known === undefined) return;
  if (action === "up" || action === "down") {
    if (known === null) {
      await privately(interaction, "I cannot record votes just now. Try again later.");
      return;
    }
    const outcome = await context.history
      .vote(answerId, interaction.user.id, action, new Date())
      .catch((error: unknown) => {
        logger.error({ err: error }, "could not record a vote");
        return undefined;
      });
    const emoji = VOTE_EMOJI[action];
    const text = {
      recorded: `Thanks: your ${emoji} is recorded.`,
      changed: `Your vote is now ${emoji}.`,
      unchanged: `Your ${emoji} was already recorded.`,
      unknown: "I no longer know this answer. Ask again with /ask.",
      failed: "I cannot record votes just now. Try again later.",
    }[outcome ?? "failed"];
    await privately(interaction, text);
    return;
  }
  if (action === "follow" && interaction.isButton()) {
    const question = known?.question ?? interaction.message.embeds[0]?.title ?? undefined;
    await interaction.showModal(followUpModal(answerId, question));
    return;
  }
  if (action === "ask" && interaction.isModalSubmit()) {
    await followUp(interaction, context, answerId, known ?? undefined);
    return;
  }
  await privately(interaction, "This button no longer does anything. Try /help.");
}

/** The questions a follow-up follows, earliest first: from the record, or the answer's title. */
async function earlierQuestions(
  history: History,
  known: KnownAnswer | undefined,
  title: string | undefined,
): Promise<string[]> {
  const questions: string[] = [];
  let current = known;
  while (current?.question && questions.length < PREVIOUS_MAX) {
    questions.unshift(current.question);
    current = current.parentId
      ? await history.find(current.parentId).catch(() => undefined)
      : undefined;
  }
  if (!questions.length && title) questions.push(title);
  return questions;
}

/**
 * Answers a follow-up question in a thread started from the answer (created on the first
 * follow-up, reused after), or, where no thread can be made, as a private reply to the form.
 */
async function followUp(
  interaction: ModalSubmitInteraction,
  { assistant, askCooldown, history }: CommandContext,
  parentId: string,
  known: KnownAnswer | undefined,
): Promise<void> {
  let question: string;
  try {
    question = validateQuestion(interaction.fields.getTextInputValue(FOLLOW_UP_FIELD));
  } catch (error) {
    if (!(error instanceof QuestionError)) throw error;
    await privately(interaction, error.message);
    return;
  }
  const retryAt = askCooldown.take(interaction.user.id);
  if (retryAt) {
    await privately(
      interaction,
      `You can ask ${askCooldown.count} questions every ${askCooldown.seconds} seconds. Try again <t:${Math.ceil(retryAt.getTime() / 1000)}:R>.`,
    );
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const title = interaction.message?.embeds[0]?.title ?? undefined;
  const previous = await earlierQuestions(history, known, title);
  const answer = await answerQuestion(await assistant, question, { previous });
  const answerId = newAnswerId();
  const reply = answerWithButtons(answer, answerId);
  const thread = await followUpThread(interaction, previous.at(-1) ?? question);
  let posted = false;
  if (thread) {
    try {
      await thread.send(reply);
      posted = true;
      await interaction.editReply({ content: `Answered in ${thread.url}` });
    } catch (error) {
      // Posting in the thread was refused (Send Messages in Threads): the member still gets it.
      if (posted || !(error instanceof DiscordAPIError)) throw error;
      logger.info(
        { err: error, thread: thread.id },
        "cannot post in the thread; answering privately",
      );
    }
  }
  if (!posted) await interaction.editReply(reply);
  recordAnswer(
    history,
    answerId,
    answer,
    {
      guildId: interaction.guildId,
      channelId: posted && thread ? thread.id : interaction.channelId,
      user: interaction.user,
    },
    parentId,
  );
}

/**
 * The thread a follow-up is answered in: the one it was asked from, the one started from the
 * answer before, or a new one; undefined where none can be (a direct message, a private answer,
 * missing permissions).
 */
async function followUpThread(
  interaction: ModalSubmitInteraction,
  name: string,
): Promise<ThreadChannel | undefined> {
  if (!interaction.inGuild()) return undefined;
  // A thread the bot has not seen since it started is not in its cache yet.
  const channel =
    interaction.channel ??
    (interaction.channelId
      ? await interaction.client.channels.fetch(interaction.channelId).catch(() => null)
      : null);
  if (channel?.isThread()) return channel;
  const message = interaction.message;
  if (!message || message.flags.has(MessageFlags.Ephemeral)) return undefined;
  if (message.thread) return message.thread;
  try {
    return await message.startThread({
      name: threadName(name),
      autoArchiveDuration: THREAD_ARCHIVE_MINUTES,
    });
  } catch (error) {
    // Discord refused (missing permissions), or the channel cannot hold threads (discord.js
    // says so before asking): the follow-up is answered privately instead.
    if (
      error instanceof DiscordAPIError &&
      error.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage
    ) {
      // Discord gives a thread started from a message the message's id.
      const existing = await interaction.client.channels.fetch(message.id);
      if (existing?.isThread()) return existing;
    }
    logger.info(
      { err: error, channel: interaction.channelId },
      "no thread for a follow-up; answering privately",
    );
    return undefined;
  }
}
