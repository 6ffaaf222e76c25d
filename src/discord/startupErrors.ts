import { DiscordjsErrorCodes } from "discord.js";
import { ConfigError } from "../config.js";
import { DatabaseUnavailableError, StoreMismatchError } from "../index/errors.js";
import { NoDocumentsError } from "../knowledgeBase.js";

const NETWORK_ERRORS = ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT"];

/** A start-up failure the user can fix: its message alone says what to do. */
export function explainStartupError(error: unknown): string | undefined {
  if (
    error instanceof ConfigError ||
    error instanceof NoDocumentsError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof StoreMismatchError
  )
    return error.message;
  const { code, status } = error as { code?: string; status?: number };
  if (code === DiscordjsErrorCodes.TokenInvalid || status === 401) {
    return "Discord rejected DISCORD_TOKEN. Copy the token again from the Developer Portal (Bot page, Reset Token) into .env.";
  }
  if (code && NETWORK_ERRORS.includes(code)) {
    const api = process.env.DISCORD_API_URL || "https://discord.com/api";
    return `Could not reach Discord's API at ${api} (${code}). Check the network connection, or DISCORD_API_URL.`;
  }
  return undefined;
}
