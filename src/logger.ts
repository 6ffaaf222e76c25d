import { pino } from "pino";

const level = process.env.LOG_LEVEL ?? "info";

/** Structured logs on stderr, so that stdout stays free for command output. */
export const logger = pino(
  {
    // An invalid LOG_LEVEL is reported by the config check; until then log at info.
    level: level in pino.levels.values || level === "silent" ? level : "info",
    redact: {
      paths: [
        "token",
        "*.token",
        "DISCORD_TOKEN",
        "*.DISCORD_TOKEN",
        "apiKey",
        "*.apiKey",
        "headers.authorization",
      ],
      censor: "[redacted]",
    },
  },
  pino.destination(2),
);
