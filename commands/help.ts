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

type OptionJSON = NonNullable<ReturnType<Command["data"]["toJSON"]>["options"]>[number];

const VALUES: Partial<Record<ApplicationCommandOptionType, string>> = {
  [ApplicationCommandOptionType.Boolean]: "<true|false>",
  [ApplicationCommandOptionType.Attachment]: "<file>",
};

/** `question:<text>` when required, `[private:<true|false>]` when not. */
function usage(option: OptionJSON): string {
  const value = VALUES[option.type] ?? "<text>";
  return "required" in option && option.required
    ? `${option.name}:${value}`
    : `[${option.name}:${value}]`;
}

/**
 * `/ask question:<text> [private:<true|false>]`, from the command's own definition; a command
 * with subcommands gives one line for each.
 */
function describe(command: Command): HelpCommand[] {
  const json = command.data.toJSON();
  const forModerators = json.default_member_permissions ? " (moderators)" : "";
  const options = json.options ?? [];
  const subcommands = options.filter(
    (option) => option.type === ApplicationCommandOptionType.Subcommand,
  );
  if (subcommands.length === 0) {
    return [
      {
        usage: [`/${json.name}`, ...options.map(usage)].join(" "),
        description: `${json.description}${forModerators}`,
      },
    ];
  }
  return subcommands.map((sub) => ({
    usage: [
      `/${json.name} ${sub.name}`,
      ...("options" in sub ? (sub.options ?? []) : []).map(usage),
    ].join(" "),
    description: `${sub.description}${forModerators}`,
  }));
}

export async function execute(
  interaction: ChatInputCommandInteraction,
  { commands, config }: CommandContext,
): Promise<void> {
  await interaction.reply({
    ...helpReply([...commands.values()].flatMap(describe), config.HELP_EXAMPLES),
    flags: MessageFlags.Ephemeral,
  });
}
