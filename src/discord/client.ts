import { Client, GatewayIntentBits, type RESTOptions } from "discord.js";
import type { DiscordConfig } from "../config.js";

/**
 * The discord.js client: slash commands need only the Guilds intent, and no message it sends
 * may ping anyone, whatever a question or a document says.
 */
export function createClient(config: DiscordConfig, rest: Partial<RESTOptions> = {}): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [] },
    rest: { ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}), ...rest },
  });
}
