import { loadBotConfig } from "../../src/config.js";
import { createClient } from "../../src/discord/client.js";
import { type Bot, startBot } from "../../src/discord/start.js";
import type { LoopbackDiscord } from "./discord.js";
import { storeEnv } from "./postgres.js";

/** The real bot, in this process, logged in to the loopback Discord. */
export async function startTestBot(
  discord: LoopbackDiscord,
  env: Record<string, string>,
): Promise<Bot> {
  const config = loadBotConfig({ ...discord.env(), ...storeEnv(env.DATA_DIR), ...env });
  const bot = await startBot(config, createClient(config, { retries: 0 }));
  await discord.connected();
  return bot;
}
