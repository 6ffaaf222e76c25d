import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { Assistant } from "../assistant.js";
import type { BotConfig } from "../config.js";
import type { Cooldown } from "./cooldown.js";

/** What commands share: the settings, the assistant (once its index is open), the cooldown. */
export interface CommandContext {
  config: BotConfig;
  /** Resolves once the index is open; a command acknowledges the interaction before awaiting it. */
  assistant: Promise<Assistant>;
  askCooldown: Cooldown;
  commands: ReadonlyMap<string, Command>;
}

/** A slash command module, as in discord.js's guide: its definition and what it does. */
export interface Command {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
  /** Suggests values for the option being typed, for a command that has an autocomplete option. */
  autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<void>;
}
