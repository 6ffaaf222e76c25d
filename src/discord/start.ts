import { type Client, Events, type Interaction } from "discord.js";
import { type Assistant, openAssistant } from "../assistant.js";
import type { BotConfig } from "../config.js";
import { type History, openHistory } from "../history/index.js";
import { logger } from "../logger.js";
import { createClient } from "./client.js";
import type { CommandContext } from "./command.js";
import { commands } from "./commands.js";
import { Cooldown } from "./cooldown.js";
import { handleInteraction } from "./interactions.js";
import { listenForRefresh } from "./shards.js";

/** How long a shutdown waits for the commands under way to finish. */
const DRAIN_MS = 10_000;
/** How often what is older than HISTORY_DAYS is deleted: daily. */
const PURGE_EVERY_MS = 86_400_000;

export interface Bot {
  client: Client;
  assistant: Assistant;
  /** Stops taking commands, lets those under way finish, and disconnects. */
  stop(): Promise<void>;
}

/**
 * Opens the index and logs in to Discord at the same time: commands that arrive before the index
 * is ready are acknowledged at once and answered when it is.
 */
export async function startBot(config: BotConfig, client = createClient(config)): Promise<Bot> {
  const opening = openAssistant(config).then(({ assistant, report }) => {
    const { documents, chunks, ms, rebuilt } = report;
    logger.info({ documents, chunks, ms, rebuilt, dataDir: config.DATA_DIR }, "index ready");
    return assistant;
  });
  const history = openHistory(config);
  const stopPurging = keepHistoryPurged(history, config.HISTORY_DAYS);
  const context: CommandContext = {
    config,
    assistant: opening,
    askCooldown: new Cooldown(config.ASK_COOLDOWN_COUNT, config.ASK_COOLDOWN_SECONDS),
    history,
    commands,
  };
  const running = new Set<Promise<void>>();
  const onInteraction = (interaction: Interaction) => {
    const handled = handleInteraction(interaction, context);
    running.add(handled);
    void handled.finally(() => running.delete(handled));
  };

  client.on(Events.InteractionCreate, onInteraction);
  if (client.shard) listenForRefresh(client, opening);
  client.on(Events.Error, (error) => logger.error({ err: error }, "Discord client error"));
  client.on(Events.Warn, (message) => logger.warn(message));
  client.once(Events.ClientReady, (ready) => {
    logger.info(
      { user: ready.user.tag, application: ready.application.id, guilds: ready.guilds.cache.size },
      "connected to Discord",
    );
    if (ready.application.id !== config.DISCORD_CLIENT_ID) {
      logger.warn(
        { application: ready.application.id, DISCORD_CLIENT_ID: config.DISCORD_CLIENT_ID },
        "DISCORD_CLIENT_ID is not this bot's application id: deploy-commands registers commands for another application",
      );
    }
  });

  let assistant: Assistant;
  try {
    [assistant] = await Promise.all([opening, client.login(config.DISCORD_TOKEN)]);
  } catch (error) {
    stopPurging();
    await history.close();
    await client.destroy();
    throw error;
  }

  return {
    client,
    assistant,
    async stop() {
      client.off(Events.InteractionCreate, onInteraction);
      const drained = Promise.allSettled(running);
      await Promise.race([
        drained,
        new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref()),
      ]);
      stopPurging();
      await history.close();
      await client.destroy();
      await assistant.knowledgeBase.close();
    },
  };
}

/**
 * Creates or updates the record's schema now and deletes what is older than HISTORY_DAYS, then
 * daily. A record that cannot be opened is logged: the bot answers all the same.
 */
function keepHistoryPurged(history: History, days: number): () => void {
  const purge = () =>
    history
      .purge(new Date())
      .then((deleted) => {
        if (deleted) logger.info({ deleted, HISTORY_DAYS: days }, "old questions deleted");
      })
      .catch((error: unknown) =>
        logger.error({ err: error }, "history unavailable; answering goes on without it"),
      );
  void history
    .open()
    .then(purge, (error: unknown) =>
      logger.error({ err: error }, "history unavailable; answering goes on without it"),
    );
  const timer = setInterval(purge, PURGE_EVERY_MS).unref();
  return () => clearInterval(timer);
}
