import { expect, test } from "vitest";
import {
  ConfigError,
  loadBotConfig,
  loadCoreConfig,
  loadDiscordConfig,
  loadShardedConfig,
} from "../src/config.js";

const required = { DISCORD_TOKEN: "token", DISCORD_CLIENT_ID: "123456789012345678" };

test("the bot needs only DISCORD_TOKEN and DISCORD_CLIENT_ID; the rest has defaults", () => {
  const config = loadBotConfig(required);
  expect(config).toMatchObject({
    ...required,
    MOD_ROLE_IDS: [],
    ASK_COOLDOWN_COUNT: 5,
    ASK_COOLDOWN_SECONDS: 60,
  });
  expect(config.DISCORD_GUILD_ID).toBeUndefined();
  expect(config.DISCORD_API_URL).toBeUndefined();
  expect(config.HELP_EXAMPLES).toHaveLength(3);
});

test("the command-line tools need no Discord variable", () => {
  expect(() => loadCoreConfig({})).not.toThrow();
});

test.each([
  [{}, ["DISCORD_TOKEN: required", "DISCORD_CLIENT_ID: required"]],
  [{ ...required, DISCORD_CLIENT_ID: "my-bot" }, ["DISCORD_CLIENT_ID: must be a Discord id"]],
  [
    { ...required, MOD_ROLE_IDS: "123456789012345678,moderators" },
    ["MOD_ROLE_IDS: must be role ids"],
  ],
  [{ ...required, ASK_COOLDOWN_COUNT: "0" }, ["ASK_COOLDOWN_COUNT:"]],
  [{ ...required, DISCORD_API_URL: "localhost:8080" }, ["DISCORD_API_URL: must be an http(s) URL"]],
])(
  "a missing or malformed variable is named, with a pointer to .env.example (%o)",
  (env, messages) => {
    expect(() => loadBotConfig(env)).toThrow(ConfigError);
    try {
      loadBotConfig(env);
    } catch (error) {
      for (const message of messages) expect((error as Error).message).toContain(message);
      expect((error as Error).message).toContain(".env.example");
    }
  },
);

test("lists are split and trimmed, and a trailing slash of DISCORD_API_URL is dropped", () => {
  const config = loadBotConfig({
    ...required,
    MOD_ROLE_IDS: " 123456789012345678 , 223456789012345678 ",
    HELP_EXAMPLES: "First? | Second?",
    DISCORD_API_URL: "http://127.0.0.1:8080/api/",
  });
  expect(config.MOD_ROLE_IDS).toEqual(["123456789012345678", "223456789012345678"]);
  expect(config.HELP_EXAMPLES).toEqual(["First?", "Second?"]);
  expect(config.DISCORD_API_URL).toBe("http://127.0.0.1:8080/api");
  expect(loadDiscordConfig(required).DISCORD_API_URL).toBeUndefined();
});

test.each([
  [{ OPENAI_BASE_URL: "localhost:11434/v1" }, "OPENAI_BASE_URL: must be an http(s) URL"],
  [{ OPENAI_BASE_URL: "ftp://models.example/v1" }, "such as http://localhost:11434/v1"],
  [{ LLM_TIMEOUT_MS: String(2 ** 31) }, "LLM_TIMEOUT_MS: must be at most 600000"],
  [{ LLM_TIMEOUT_MS: String(2 ** 32) }, "LLM_TIMEOUT_MS: must be at most"],
  [{ MAX_DOCUMENT_BYTES: "1e12" }, "MAX_DOCUMENT_BYTES: must be at most"],
  [{ CHUNK_SIZE: "1000000" }, "CHUNK_SIZE: must be at most"],
  [{ TOP_K: "100000" }, "TOP_K: must be at most"],
])(
  "a setting that would validate but break is refused with the right form (%o)",
  (env, message) => {
    expect(() => loadCoreConfig(env)).toThrow(ConfigError);
    expect(() => loadCoreConfig(env)).toThrow(message);
  },
);

test.each([
  [{ ASK_COOLDOWN_SECONDS: "2147484" }, "ASK_COOLDOWN_SECONDS: must be at most 86400"],
  [{ ASK_COOLDOWN_COUNT: "99999999" }, "ASK_COOLDOWN_COUNT: must be at most"],
  [{ HELP_EXAMPLES: "|" }, "HELP_EXAMPLES: must hold at least one question"],
  [{ HELP_EXAMPLES: " | | " }, "HELP_EXAMPLES: must hold at least one question"],
])("a bot setting that would break the bot is refused (%o)", (env, message) => {
  expect(() => loadBotConfig({ ...required, ...env })).toThrow(message);
});

test("SHARD_COUNT is bounded, and empty HELP_EXAMPLES entries are ignored", () => {
  expect(() => loadShardedConfig({ ...required, SHARD_COUNT: "100000" })).toThrow(
    "SHARD_COUNT: must be at most",
  );
  expect(loadBotConfig({ ...required, HELP_EXAMPLES: "First?||Second?|" }).HELP_EXAMPLES).toEqual([
    "First?",
    "Second?",
  ]);
  const largest = loadBotConfig({
    ...required,
    LLM_TIMEOUT_MS: "600000",
    ASK_COOLDOWN_SECONDS: "86400",
    OPENAI_BASE_URL: "https://api.example.com/v1",
  });
  expect(largest).toMatchObject({ LLM_TIMEOUT_MS: 600_000, ASK_COOLDOWN_SECONDS: 86_400 });
});
