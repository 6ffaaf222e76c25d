import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadBotConfig } from "../../src/config.js";
import { createClient } from "../../src/discord/client.js";
import { type Bot, startBot } from "../../src/discord/start.js";
import type { LoopbackDiscord } from "./discord.js";

export const REPO = path.resolve(import.meta.dirname, "../..");

/** A fresh DATA_DIR holding a copy of the shipped documents, and no index. */
export async function tempDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "docs-qa-bot-"));
  await cp(path.join(REPO, "data/docs"), path.join(dir, "docs"), { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The real bot, in this process, logged in to the loopback Discord. */
export async function startTestBot(
  discord: LoopbackDiscord,
  env: Record<string, string>,
): Promise<Bot> {
  const config = loadBotConfig({ ...discord.env(), ...env });
  const bot = await startBot(config, createClient(config, { retries: 0 }));
  await discord.connected();
  return bot;
}
