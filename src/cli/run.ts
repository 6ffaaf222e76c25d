import { ConfigError } from "../config.js";
import { EmbeddingsUnavailableError } from "../embeddings/openai.js";
import { NoDocumentsError } from "../knowledgeBase.js";
import { logger } from "../logger.js";

// A person at a terminal wants the answer, not the info logs; LOG_LEVEL still overrides.
if (!process.env.LOG_LEVEL) logger.level = "warn";

/** Runs a command-line entry point: known errors print their message alone and exit 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof NoDocumentsError ||
      error instanceof EmbeddingsUnavailableError
    ) {
      process.stderr.write(`${error.message}\n`);
    } else {
      logger.error({ err: error }, "failed");
      process.stderr.write(`Error: ${(error as Error).message}\n`);
    }
    process.exitCode = 1;
  });
}
