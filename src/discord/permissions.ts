import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  PermissionFlagsBits,
} from "discord.js";
import { logger } from "../logger.js";

/**
 * A moderator has Manage Server in this channel, or one of the moderator roles. Checked on every
 * command, since a server's admins can let anyone see a command whatever its default permissions.
 */
export function isModerator(
  interaction: ChatInputCommandInteraction | AutocompleteInteraction,
  modRoleIds: readonly string[],
): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return true;
  const { roles } = interaction.member;
  const memberRoles = Array.isArray(roles) ? roles : [...roles.cache.keys()];
  return modRoleIds.some((id) => memberRoles.includes(id));
}

/** A moderators' command may run: in a server, for a moderator (narrows to a server's interaction). */
export function mayModerate(
  interaction: ChatInputCommandInteraction,
  modRoleIds: readonly string[],
): interaction is ChatInputCommandInteraction<"cached" | "raw"> {
  return interaction.inGuild() && isModerator(interaction, modRoleIds);
}

/**
 * Tells a member privately why a moderators' command does nothing for them: it works in a server
 * only, or they are not a moderator. `what` completes "Only moderators can …".
 */
export async function refuseNonModerator(
  interaction: ChatInputCommandInteraction,
  what: string,
): Promise<void> {
  logger.info(
    { user: interaction.user.id, guild: interaction.guildId },
    `${interaction.commandName} refused`,
  );
  await interaction.reply({
    content: interaction.inGuild()
      ? `Only moderators can ${what}: members with the Manage Server permission or a moderator role.`
      : `/${interaction.commandName} works in a server, not in direct messages.`,
    flags: MessageFlags.Ephemeral,
  });
}
