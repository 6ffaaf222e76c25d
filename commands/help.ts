import {
  ApplicationCommandOptionType,
  type ChatInputCommandInteraction,
  MessageFlags,
  SlashCommandBuilder,
} from "discord.js";
import type { Command, CommandContext } from "../src/discord/command.js";
import { type HelpCommand, helpReply } from "../src/discord/replies.js";

export const data = new SlashCommandBuilder()
  .setName("help")
  .setDescription("What I answer, my commands, and example questions");

/** `/ask question:<text> [private:<true|false>]`, from the command's own definition. */
function describe(command: Command): HelpCommand {
  const json = command.data.toJSON();
  const options = (json.options ?? []).map((option) => {
    const value = option.type === ApplicationCommandOptionType.Boolean ? "<true|false>" : "<text>";
    return "required" in option && option.required
      ? `${option.name}:${value}`
      : `[${option.name}:${value}]`;
  });
  const forModerators = json.default_member_permissions ? " (moderators)" : "";
  return {
    usage: [`/${json.name}`, ...options].join(" "),
    description: `${json.description}${forModerators}`,
  };
}

export async function execute(
  interaction: ChatInputCommandInteraction,
  { commands, config }: CommandContext,
): Promise<void> {
  await interaction.reply({
    ...helpReply([...commands.values()].map(describe), config.HELP_EXAMPLES),
    flags: MessageFlags.Ephemeral,
  });
}
