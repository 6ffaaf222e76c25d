import "./env.js";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  DiscordjsErrorCodes,
  REST,
  type RESTGetAPIGatewayBotResult,
  Routes,
  type Shard,
  ShardingManager,
} from "discord.js";
import { loadShardedConfig, type ShardedConfig } from "./config.js";
import { explainStartupError } from "./discord/startupErrors.js";
import { KnowledgeBase } from "./knowledgeBase.js";
import { logger } from "./logger.js";

/**
 * `npm run start:sharded`: runs the bot as SHARD_COUNT shards, each a process of src/bot.ts that
 * serves its share of the servers, through discord.js's ShardingManager.
 */

// bot.ts beside this file under tsx, bot.mjs beside it in the bundle (scripts/launch.mjs).
const BOT = fileURLToPath(new URL(`./bot${path.extname(import.meta.url)}`, import.meta.url));

process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

let manager: ShardingManager | undefined;
let stopping = false;
/** Shards whose process was started and whose death was not seen yet. */
const alive = new Set<Shard>();

/** discord.js's errors for a shard that did not become ready: the shard's own log says why. */
const SHARD_START_ERRORS: string[] = [
  DiscordjsErrorCodes.ShardingReadyDied,
  DiscordjsErrorCodes.ShardingReadyDisconnected,
  DiscordjsErrorCodes.ShardingReadyTimeout,
];

/** Discord's recommended shard count, from DISCORD_API_URL (discord.js's own helper always asks discord.com). */
async function recommendedShardCount(config: ShardedConfig): Promise<number> {
  const rest = new REST(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {});
  const { shards } = (await rest
    .setToken(config.DISCORD_TOKEN)
    .get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  return shards;
}

function logLifecycle(shard: Shard): void {
  // The shards are processes (the manager's default mode): shard.process is the one at hand.
  shard.on("spawn", () => {
    alive.add(shard);
    logger.info({ shard: shard.id, shardPid: shard.process?.pid }, "shard started");
  });
  shard.on("ready", () => logger.info({ shard: shard.id }, "shard ready"));
  shard.on("death", () => {
    alive.delete(shard);
    const exit = {
      shard: shard.id,
      code: shard.process?.exitCode,
      signal: shard.process?.signalCode,
    };
    if (stopping) logger.info(exit, "shard stopped");
    else if (shard.manager.respawn) logger.warn(exit, "shard died; starting it again");
    else logger.error(exit, "shard died");
  });
  shard.on("error", (error) => logger.error({ err: error, shard: shard.id }, "shard failed"));
}

/** Stops every shard: each finishes the commands under way and disconnects. */
async function stopShards(): Promise<void> {
  stopping = true;
  if (manager) manager.respawn = false;
  // A shard that has exited but whose death is not yet seen is waited for too (a signal sent to
  // the whole process group reaches the shards at the same time as the manager).
  await Promise.all(
    [...alive].map((shard) => {
      const stopped = once(shard, "death");
      shard.process?.kill("SIGTERM");
      return stopped;
    }),
  );
}

async function main(): Promise<void> {
  const config = loadShardedConfig();
  const totalShards =
    config.SHARD_COUNT === "auto" ? await recommendedShardCount(config) : config.SHARD_COUNT;
  // Built or checked once, here, so that the shards only load it instead of racing to build it.
  const { report } = await KnowledgeBase.open(config);
  const { documents, chunks, ms, rebuilt } = report;
  logger.info({ documents, chunks, ms, rebuilt, dataDir: config.DATA_DIR }, "index ready");

  manager = new ShardingManager(BOT, {
    totalShards,
    token: config.DISCORD_TOKEN,
    // From the bundle, the shards run its bot.mjs; from the sources (tests, tsx), through tsx.
    execArgv: BOT.endsWith(".ts") ? ["--import", import.meta.resolve("tsx")] : [],
    // A shard that fails to start would fail again: the start stops instead (see below).
    respawn: false,
  });
  manager.on("shardCreate", logLifecycle);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      // npm and tsx pass a Ctrl-C on as well: the same signal may arrive more than once.
      if (stopping) return;
      logger.info({ signal }, "shutting down");
      void stopShards().then(() => {
        logger.info("stopped");
        process.exit(0);
      });
    });
  }
  logger.info({ shards: totalShards }, "starting the shards");
  await manager.spawn();
  // From now on a shard that dies is started again.
  manager.respawn = true;
  logger.info({ shards: totalShards }, "every shard is ready");
}

main().catch(async (error: unknown) => {
  if (stopping) return;
  await stopShards();
  const { code, message } = error as { code?: string; message?: string };
  const explained =
    explainStartupError(error) ??
    (code && SHARD_START_ERRORS.includes(code)
      ? `${message} Its log above says why; the other shards were stopped.`
      : undefined);
  if (explained) process.stderr.write(`${explained}\n`);
  else logger.fatal({ err: error }, "the shards could not start");
  process.exit(1);
});
