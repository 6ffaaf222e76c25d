import path from "node:path";
import { z } from "zod";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

/** Settings of the question-answering core: documents, index, retrieval, answering. */
const coreSchema = z.object({
  DATA_DIR: z.string().trim().min(1).default("./data"),
  MAX_DOCUMENT_BYTES: positiveInt(5 * 1024 * 1024),
  CHUNK_SIZE: positiveInt(800),
  CHUNK_OVERLAP: z.coerce.number().int().min(0).default(150),
  TOP_K: positiveInt(6),
  EMBEDDINGS: z.enum(["local", "openai"]).default("local"),
  EMBEDDINGS_MODEL: z.string().trim().min(1).default("text-embedding-3-small"),
  LLM_PROVIDER: z.enum(["none", "openai"]).default("none"),
  LLM_MODEL: z.string().trim().min(1).default("gpt-4o-mini"),
  LLM_TIMEOUT_MS: positiveInt(20_000),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_API_KEY: optionalText,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type CoreConfig = z.infer<typeof coreSchema> & { docsDir: string; indexDir: string };

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
  const usesOpenAI = parsed.LLM_PROVIDER === "openai" || parsed.EMBEDDINGS === "openai";
  if (usesOpenAI && !parsed.OPENAI_BASE_URL && !parsed.OPENAI_API_KEY) {
    throw new ConfigError(
      "Invalid configuration:\n  OPENAI_API_KEY: required to use OpenAI's API (LLM_PROVIDER or EMBEDDINGS is openai); set it, or set OPENAI_BASE_URL to your own compatible server (e.g. http://localhost:11434/v1 for Ollama)\nSee .env.example.",
    );
  }
  const dataDir = path.resolve(parsed.DATA_DIR);
  return { ...parsed, docsDir: path.join(dataDir, "docs"), indexDir: path.join(dataDir, "index") };
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

export { coreSchema };
