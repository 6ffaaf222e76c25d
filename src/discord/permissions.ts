import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  PermissionFlagsBits,
} from "discord.js";

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
