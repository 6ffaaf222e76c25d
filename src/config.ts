import path from "node:path";
import { z } from "zod";

/**
 * A whole number from 1 to max. Every number has an upper bound: past it a setting stops making
 * sense, and Node's timers (setTimeout) overflow at 2^31 ms, about 24.8 days.
 */
const positiveInt = (fallback: number, max: number, why: string) =>
  z.coerce
    .number()
    .int()
    .positive()
    .max(max, { error: `must be at most ${max} (${why})` })
    .default(fallback);

/** Upper bounds of the numeric settings, each with why. */
export const MAXIMA = {
  /** Larger single files are better split; the whole file and its text are held in memory. */
  MAX_DOCUMENT_BYTES: 100 * 1024 * 1024,
  /** Chunks are quoted in answers and sent to embedding models, whose inputs are a few thousand words. */
  CHUNK_SIZE: 10_000,
  /** Each chunk is a numbered source of the model's prompt and a field of the answer. */
  TOP_K: 50,
  /** Ten minutes: a slash command's reply can be edited for 15 minutes only. */
  LLM_TIMEOUT_MS: 600_000,
  ASK_COOLDOWN_COUNT: 1000,
  /** One day. */
  ASK_COOLDOWN_SECONDS: 86_400,
  /** Ten years: a record of use is for improving the documents, not an archive. */
  HISTORY_DAYS: 3650,
} as const;
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

/** Settings of the question-answering core: documents, index, retrieval, answering. */
const coreSchema = z.object({
  DATA_DIR: z.string().trim().min(1).default("./data"),
  MAX_DOCUMENT_BYTES: positiveInt(
    5 * 1024 * 1024,
    MAXIMA.MAX_DOCUMENT_BYTES,
    "100 MiB; split larger documents",
  ),
  CHUNK_SIZE: positiveInt(800, MAXIMA.CHUNK_SIZE, "characters in a chunk"),
  CHUNK_OVERLAP: z.coerce.number().int().min(0).default(150),
  TOP_K: positiveInt(6, MAXIMA.TOP_K, "chunks for one question"),
  EMBEDDINGS: z.enum(["local", "openai"]).default("local"),
  EMBEDDINGS_MODEL: z.string().trim().min(1).default("text-embedding-3-small"),
  LLM_PROVIDER: z.enum(["none", "openai"]).default("none"),
  LLM_MODEL: z.string().trim().min(1).default("gpt-4o-mini"),
  LLM_TIMEOUT_MS: positiveInt(
    20_000,
    MAXIMA.LLM_TIMEOUT_MS,
    "ten minutes; Discord lets a reply be edited for 15",
  ),
  OPENAI_BASE_URL: z
    .url({
      protocol: /^https?$/,
      error: "must be an http(s) URL with its scheme, up to /v1, such as http://localhost:11434/v1",
    })
    .optional(),
  OPENAI_API_KEY: optionalText,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // 0 keeps no question text and no member id, only counts per day.
  HISTORY_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAXIMA.HISTORY_DAYS, { error: `must be at most ${MAXIMA.HISTORY_DAYS} (ten years)` })
    .default(90),
  STORE: z.enum(["local", "postgres"]).default("local"),
  DATABASE_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      error: "must be a postgres:// URL, such as postgres://user:password@localhost:5432/docsbot",
    })
    .optional(),
});

export type CoreConfig = z.infer<typeof coreSchema> & {
  docsDir: string;
  indexDir: string;
  /** The record of use (see src/history). */
  historyFile: string;
};

export class ConfigError extends Error {}

function describe(error: z.ZodError): string {
  const lines = error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
  return `Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every variable and its format.`;
}

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  // An empty variable (`FOO=` in .env) means "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) throw new ConfigError(describe(result.error));
  return result.data;
}

export function loadCoreConfig(env: NodeJS.ProcessEnv = process.env): CoreConfig {
  const parsed = parseEnv(coreSchema, env);
  if (parsed.CHUNK_OVERLAP >= parsed.CHUNK_SIZE) {
    throw new ConfigError(
      `Invalid configuration:\n  CHUNK_OVERLAP: must be smaller than CHUNK_SIZE (${parsed.CHUNK_SIZE})\nSee .env.example.`,
    );
  }
  if (parsed.STORE === "postgres" && !parsed.DATABASE_URL) {
    throw new ConfigError(
      "Invalid configuration:\n  DATABASE_URL: required when STORE=postgres, such as postgres://user:password@localhost:5432/docsbot\nSee .env.example.",
    );
  }
  const usesOpenAI = parsed.LLM_PROVIDER === "openai" || parsed.EMBEDDINGS === "openai";
  if (usesOpenAI && !parsed.OPENAI_BASE_URL && !parsed.OPENAI_API_KEY) {
    throw new ConfigError(
      "Invalid configuration:\n  OPENAI_API_KEY: required to use OpenAI's API (LLM_PROVIDER or EMBEDDINGS is openai); set it, or set OPENAI_BASE_URL to your own compatible server (e.g. http://localhost:11434/v1 for Ollama)\nSee .env.example.",
    );
  }
  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    ...parsed,
    docsDir: path.join(dataDir, "docs"),
    indexDir: path.join(dataDir, "index"),
    historyFile: path.join(dataDir, "history.sqlite"),
  };
}

/** Client settings for the OpenAI-compatible endpoint, shared by the chat model and the embeddings. */
export function openAIEndpoint(config: CoreConfig) {
  return {
    // Local servers (Ollama, llama.cpp...) need no key, but the client insists on one.
    apiKey: config.OPENAI_API_KEY ?? "no-key",
    configuration: { baseURL: config.OPENAI_BASE_URL },
    // LangChain's default (6) backs off for about a minute before giving up.
    maxRetries: 2,
  };
}

const SNOWFLAKE = /^\d{17,20}$/;
const snowflake = (options?: { error: string }) =>
  z.string(options).trim().regex(SNOWFLAKE, "must be a Discord id (17 to 20 digits)");

/** What every call to Discord's API needs: the bot's credentials and where the API is. */
const discordSchema = z.object({
  // Not judged by its format: Discord decides whether a token is valid.
  DISCORD_TOKEN: z
    .string({ error: "required: the bot token from the Developer Portal (Bot page)" })
    .trim()
    .min(1),
  DISCORD_CLIENT_ID: snowflake({
    error: "required: the application id from the Developer Portal (General Information page)",
  }),
  DISCORD_GUILD_ID: snowflake().optional(),
  DISCORD_API_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL, such as https://discord.com/api" })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
});

/** Comma-separated Discord ids (roles or users), each checked; empty means none. */
function snowflakeList(kind: "role" | "user") {
  return z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .refine((ids) => ids.every((id) => SNOWFLAKE.test(id)), {
      error: `must be ${kind} ids (17 to 20 digits each) separated by commas`,
    });
}

/** Settings of the bot itself. */
const botSchema = discordSchema.extend({
  MOD_ROLE_IDS: snowflakeList("role"),
  HELP_EXAMPLES: z
    .string()
    .default(
      "Who sponsored the resolution?|Which countries co-sponsored the resolution?|What does the resolution say about vaccines?",
    )
    // Empty entries ("a||b", a trailing |) are ignored; at least one question must be left.
    .transform((value) =>
      value
        .split("|")
        .map((question) => question.trim())
        .filter(Boolean),
    )
    .refine((questions) => questions.length > 0, {
      error: 'must hold at least one question; separate questions with "|"',
    }),
  OWNER_IDS: snowflakeList("user"),
  // Links to private, loopback and link-local addresses are refused unless this is "true" (an
  // intranet's pages; the tests' loopback server).
  ALLOW_PRIVATE_URLS: z
    .enum(["true", "false"], { error: 'must be "true" or "false"' })
    .default("false")
    .transform((value) => value === "true"),
  ASK_COOLDOWN_COUNT: positiveInt(5, MAXIMA.ASK_COOLDOWN_COUNT, "questions per window"),
  ASK_COOLDOWN_SECONDS: positiveInt(60, MAXIMA.ASK_COOLDOWN_SECONDS, "one day"),
});

export type DiscordConfig = z.infer<typeof discordSchema>;
export type BotConfig = CoreConfig & z.infer<typeof botSchema>;

/** The variables `npm run deploy-commands` needs: the bot's credentials, not the documents. */
export function loadDiscordConfig(env: NodeJS.ProcessEnv = process.env): DiscordConfig {
  return parseEnv(discordSchema, env);
}

export function loadBotConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  return { ...loadCoreConfig(env), ...parseEnv(botSchema, env) };
}

/** Every shard is a process of about 300 MB on this machine; more calls for several machines. */
const SHARDS_MAX = 100;

/** Settings of `npm run start:sharded`: the bot's, and how many shards to run. */
const shardingSchema = z.object({
  SHARD_COUNT: z
    .string()
    .trim()
    .regex(/^(auto|[1-9]\d*)$/, 'must be "auto" or a whole number of 1 or more')
    .refine((value) => value === "auto" || Number(value) <= SHARDS_MAX, {
      error: `must be at most ${SHARDS_MAX}: every shard is a process on this machine`,
    })
    .default("auto")
    .transform((value): "auto" | number => (value === "auto" ? value : Number(value))),
});

export type ShardedConfig = BotConfig & z.infer<typeof shardingSchema>;

export function loadShardedConfig(env: NodeJS.ProcessEnv = process.env): ShardedConfig {
  return { ...loadBotConfig(env), ...parseEnv(shardingSchema, env) };
}
