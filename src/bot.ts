import "./env.js";
import { DiscordjsErrorCodes } from "discord.js";
import { ConfigError, loadBotConfig } from "./config.js";
import { startBot } from "./discord/start.js";
import { NoDocumentsError } from "./knowledgeBase.js";
import { logger } from "./logger.js";

process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

const NETWORK_ERRORS = ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT"];

/** A start-up failure the user can fix: its message alone says what to do. */
function explain(error: unknown): string | undefined {
  if (error instanceof ConfigError || error instanceof NoDocumentsError) return error.message;
  const { code, status } = error as { code?: string; status?: number };
  if (code === DiscordjsErrorCodes.TokenInvalid || status === 401) {
    return "Discord rejected DISCORD_TOKEN. Copy the token again from the Developer Portal (Bot page, Reset Token) into .env.";
  }
  if (code && NETWORK_ERRORS.includes(code)) {
    const api = process.env.DISCORD_API_URL || "https://discord.com/api";
    return `Could not reach Discord's API at ${api} (${code}). Check the network connection, or DISCORD_API_URL.`;
  }
  return undefined;
}

async function main(): Promise<void> {
  const config = loadBotConfig();
  const bot = await startBot(config);
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    // npm and tsx pass a Ctrl-C on to the bot as well: the same signal may arrive more than once.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    bot.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  const message = explain(error);
  if (message) process.stderr.write(`${message}\n`);
  else logger.fatal({ err: error }, "the bot could not start");
  process.exit(1);
});
