import "./env.js";
import { type APIApplicationCommand, DiscordAPIError, REST, Routes } from "discord.js";
import { runCli } from "./cli/run.js";
import { ConfigError, loadDiscordConfig } from "./config.js";
import { commands } from "./discord/commands.js";

/** What to change when Discord refuses the registration. */
function explain(error: DiscordAPIError, guildId: string | undefined): string {
  if (error.status === 401) {
    return "Discord rejected DISCORD_TOKEN. Copy the token again from the Developer Portal (Bot page, Reset Token) into .env.";
  }
  if (error.status === 403 || error.status === 404) {
    const guild = guildId
      ? ` and that the bot was invited to server ${guildId} (DISCORD_GUILD_ID) with the applications.commands scope`
      : "";
    return `Discord refused to register the commands (${error.message}). Check that DISCORD_CLIENT_ID is the id of the token's application${guild}.`;
  }
  return `Discord refused to register the commands: ${error.message} (HTTP ${error.status}).`;
}

runCli(async () => {
  const config = loadDiscordConfig();
  const rest = new REST(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}).setToken(
    config.DISCORD_TOKEN,
  );
  const guildId = config.DISCORD_GUILD_ID;
  const route = guildId
    ? Routes.applicationGuildCommands(config.DISCORD_CLIENT_ID, guildId)
    : Routes.applicationCommands(config.DISCORD_CLIENT_ID);
  const body = [...commands.values()].map((command) => command.data.toJSON());
  let registered: APIApplicationCommand[];
  try {
    registered = (await rest.put(route, { body })) as APIApplicationCommand[];
  } catch (error) {
    if (error instanceof DiscordAPIError) throw new ConfigError(explain(error, guildId));
    throw error;
  }
  const where = guildId
    ? `in server ${guildId} (DISCORD_GUILD_ID): they can be used there now`
    : "globally: every server the bot is in gets them (Discord may take a few minutes to show them)";
  const names = registered.map((command) => `/${command.name}`).join(", ");
  process.stdout.write(`Registered ${registered.length} commands ${where}.\n${names}\n`);
});
