import { hostname } from "node:os";
import { type LoggerOptions, pino } from "pino";

const level = process.env.LOG_LEVEL ?? "info";

/** Secrets that must never reach a log. */
export const redact: LoggerOptions["redact"] = {
  paths: [
    "token",
    "*.token",
    "DISCORD_TOKEN",
    "*.DISCORD_TOKEN",
    "apiKey",
    "*.apiKey",
    "headers.authorization",
    "err.url",
  ],
  // A REST error's URL holds the interaction's token (valid 15 minutes): keep the rest of it.
  censor: (value, path) =>
    path.at(-1) === "url" && typeof value === "string"
      ? value.replace(/(\/(?:interactions|webhooks)\/\d+\/)[^/?]+/, "$1[redacted]")
      : "[redacted]",
};

/** Structured logs on stderr, so that stdout stays free for command output. */
export const logger = pino(
  {
    // An invalid LOG_LEVEL is reported by the config check; until then log at info.
    level: level in pino.levels.values || level === "silent" ? level : "info",
    redact,
    // Each shard of `npm run start:sharded` (discord.js tells it its id in SHARDS) says which it is.
    base: {
      pid: process.pid,
      hostname: hostname(),
      ...(process.env.SHARDING_MANAGER ? { shard: Number(process.env.SHARDS) } : {}),
    },
  },
  // Written synchronously: lines stay in order and none is lost when the process exits.
  pino.destination({ dest: 2, sync: true }),
);
