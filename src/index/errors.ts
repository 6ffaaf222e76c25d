import type { SkippedFile } from "../documents/load.js";

export class NoDocumentsError extends Error {
  constructor(docsDir: string, skipped: SkippedFile[]) {
    const reasons = skipped.map((file) => `\n  ${file.source}: ${file.reason}`).join("");
    super(
      `No usable document in ${docsDir}. Put .txt, .md or .html files there (UTF-8 text), then run \`npm run index\`.${reasons}`,
    );
    this.name = "NoDocumentsError";
  }
}

/** Another build of the same index is under way, in this process or another. */
export class ReloadInProgressError extends Error {
  constructor() {
    super("A reload is already running; wait for it to finish.");
    this.name = "ReloadInProgressError";
  }
}

/** The database of STORE=postgres cannot be reached, or failed a query: the bot retries at the next one. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

/**
 * The database was filled with other embeddings (provider, model or dimensions) than the ones
 * configured: its vectors and the questions' would not compare.
 */
export class StoreMismatchError extends Error {
  override name = "StoreMismatchError";
}
