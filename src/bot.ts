import "./env.js";
import { loadBotConfig } from "./config.js";
import { startBot } from "./discord/start.js";
import { explainStartupError } from "./discord/startupErrors.js";
import { watchEventLoop } from "./eventLoop.js";
import { logger } from "./logger.js";

process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

// SHARD_COUNT is for `npm run start:sharded`, which sets it in each shard it starts; discord.js's
// Client reads it too. A bot started on its own runs as one shard, whatever .env says.
if (!process.env.SHARDING_MANAGER) delete process.env.SHARD_COUNT;

async function main(): Promise<void> {
  const config = loadBotConfig();
  watchEventLoop();
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
  const message = explainStartupError(error);
  if (message) process.stderr.write(`${message}\n`);
  else logger.fatal({ err: error }, "the bot could not start");
  process.exit(1);
});
