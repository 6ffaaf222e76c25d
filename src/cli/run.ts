import { type ParseArgsConfig, parseArgs } from "node:util";
import { ConfigError } from "../config.js";
import { EmbeddingsUnavailableError } from "../embeddings/errors.js";
import { HistoryUnavailableError } from "../history/index.js";
import { DatabaseUnavailableError, StoreMismatchError } from "../index/errors.js";
import { NoDocumentsError } from "../knowledgeBase.js";
import { logger } from "../logger.js";

// A person at a terminal wants the answer, not the info logs; LOG_LEVEL still overrides.
if (!process.env.LOG_LEVEL) logger.level = "warn";

// `npm run ask … | head -1`: the reader has gone, so there is nobody left to tell; stop quietly
// instead of dying with an EPIPE stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

/** Exit code of a command line that cannot be understood, as shells and getopt use it. */
export const USAGE_EXIT_CODE = 2;

/** A command line that cannot be understood: says what is wrong, then prints the usage. */
export class UsageError extends Error {}

/** The command line's options and arguments (node:util parseArgs, strict); a UsageError when wrong. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS")) throw error;
    // Node's message goes on to suggest "--", which the usage shows for npm run.
    throw new UsageError((error as Error).message.split(". ")[0].replace(/\.?$/, "."));
  }
}

/**
 * Runs a command-line entry point: a usage error prints what is wrong and the usage, exit 2;
 * known errors print their message alone and exit 1.
 */
export function runCli(main: () => Promise<void>, usage = ""): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(usage ? `${error.message}\n\n${usage}\n` : `${error.message}\n`);
      process.exitCode = USAGE_EXIT_CODE;
      return;
    }
    if (
      error instanceof ConfigError ||
      error instanceof NoDocumentsError ||
      error instanceof EmbeddingsUnavailableError ||
      error instanceof HistoryUnavailableError ||
      error instanceof DatabaseUnavailableError ||
      error instanceof StoreMismatchError
    ) {
      process.stderr.write(`${error.message}\n`);
    } else {
      logger.error({ err: error }, "failed");
      process.stderr.write(`Error: ${(error as Error).message}\n`);
    }
    process.exitCode = 1;
  });
}
