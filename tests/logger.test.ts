import { Writable } from "node:stream";
import { DiscordAPIError } from "discord.js";
import { pino } from "pino";
import { expect, test } from "vitest";
import { redact } from "../src/logger.js";

test("logs keep secrets out: tokens, keys, and the interaction token in a REST error's URL", () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = pino({ redact }, sink);
  const error = new DiscordAPIError(
    { code: 10062, message: "Unknown interaction" },
    10062,
    404,
    "PATCH",
    "https://discord.com/api/v10/webhooks/123456789/aW50ZXJhY3Rpb24tdG9rZW4/messages/@original",
    { body: undefined, files: undefined },
  );
  logger.error(
    { err: error, token: "bot-token-1", config: { DISCORD_TOKEN: "bot-token-2" } },
    "failed",
  );
  logger.info({ client: { apiKey: "sk-secret" } }, "model");
  const log = lines.join("");
  expect(log).not.toMatch(/bot-token-1|bot-token-2|sk-secret|aW50ZXJhY3Rpb24tdG9rZW4/);
  expect(log).toContain("/webhooks/123456789/[redacted]/messages/@original");
  expect(log).toContain("Unknown interaction");
});
