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
