import { randomUUID } from "node:crypto";
import { type Interaction, MessageFlags, type RepliableInteraction } from "discord.js";
import { EmbeddingsUnavailableError } from "../embeddings/errors.js";
import { DatabaseUnavailableError } from "../index/errors.js";
import { logger } from "../logger.js";
import type { CommandContext } from "./command.js";
import { handleAnswerComponent } from "./feedback.js";

/**
 * Runs the command an interaction names, or what an answer's button or form asks for; one that
 * fails gets the user an apology.
 */
export async function handleInteraction(
  interaction: Interaction,
  context: CommandContext,
): Promise<void> {
  if (interaction.isAutocomplete()) {
    const command = context.commands.get(interaction.commandName);
    // Suggestions are a convenience: when they fail, the member types the value.
    await command?.autocomplete?.(interaction, context).catch((error: unknown) => {
      logger.warn({ err: error, command: interaction.commandName }, "autocomplete failed");
      return interaction.respond([]).catch(() => {});
    });
    return;
  }
  if (interaction.isButton() || interaction.isModalSubmit()) {
    await guarded(interaction, `component ${interaction.customId.split(":")[1] ?? "?"}`, () =>
      handleAnswerComponent(interaction, context),
    );
    return;
  }
  if (!interaction.isChatInputCommand()) return;
  const command = context.commands.get(interaction.commandName);
  if (!command) {
    // Registered once but no longer in this version of the bot.
    logger.warn(
      { command: interaction.commandName },
      "unknown command; run npm run deploy-commands",
    );
    await interaction
      .reply({
        content: `I no longer have a /${interaction.commandName} command. Try /help; a server admin can refresh the list with \`npm run deploy-commands\`.`,
        flags: MessageFlags.Ephemeral,
      })
      .catch((error: unknown) =>
        logger.error({ err: error }, "could not answer an unknown command"),
      );
    return;
  }
  await guarded(interaction, interaction.commandName, () => command.execute(interaction, context));
}

/** Runs what an interaction asks for; a failure is logged and the user gets an apology. */
async function guarded(
  interaction: RepliableInteraction,
  name: string,
  work: () => Promise<void>,
): Promise<void> {
  const started = performance.now();
  try {
    await work();
    logger.debug(
      { command: name, user: interaction.user.id, ms: Math.round(performance.now() - started) },
      "command done",
    );
  } catch (error) {
    if (error instanceof EmbeddingsUnavailableError) {
      // Not a bug of the bot: a service it depends on. The member is told what happened.
      logger.warn({ err: error, command: name }, "embeddings unavailable");
      await tellPrivately(
        interaction,
        `${error.message} Your question could not be searched: try again in a while, or tell a moderator.`,
      ).catch((tellError: unknown) =>
        logger.error({ err: tellError }, "could not tell the user about the error"),
      );
      return;
    }
    if (error instanceof DatabaseUnavailableError) {
      // The database (STORE=postgres) is down or out of reach: the pool reconnects by itself.
      logger.warn({ err: error, command: name }, "database unavailable");
      await tellPrivately(
        interaction,
        "Sorry, I cannot reach my documents right now. Try again in a minute.",
      ).catch((tellError: unknown) =>
        logger.error({ err: tellError }, "could not tell the user about the error"),
      );
      return;
    }
    const errorId = randomUUID().slice(0, 8);
    logger.error(
      { err: error, errorId, command: name, user: interaction.user.id },
      "command failed",
    );
    await apologize(interaction, errorId).catch((apologyError: unknown) =>
      logger.error({ err: apologyError, errorId }, "could not tell the user about the error"),
    );
  }
}

/** A short apology that only the user sees, whatever state the interaction was left in. */
function apologize(interaction: RepliableInteraction, errorId: string): Promise<void> {
  return tellPrivately(
    interaction,
    `Sorry, something went wrong. The error was logged as \`${errorId}\`: try again, or give that id to a moderator.`,
  );
}

/** A notice that only the user sees, whatever state the interaction was left in. */
async function tellPrivately(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred && !interaction.replied) {
    if (interaction.ephemeral) {
      await interaction.editReply({ content });
      return;
    }
    // A public "thinking…" message: take it away, and apologise privately instead.
    await interaction.deleteReply();
  }
  if (interaction.deferred || interaction.replied) {
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  }
}
