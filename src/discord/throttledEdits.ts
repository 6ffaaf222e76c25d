import { logger } from "../logger.js";

/** Discord rate-limits message edits; a growing answer is edited at most this often. */
export const EDIT_INTERVAL_MS = 1500;

/**
 * Sends the latest of a stream of texts with edit(), at most once every intervalMs; texts that
 * arrive in between are replaced by newer ones, never queued.
 */
export function throttledEdits(
  edit: (text: string) => Promise<unknown>,
  intervalMs = EDIT_INTERVAL_MS,
) {
  let latest: string | undefined;
  let lastEdit = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<unknown> = Promise.resolve();

  const flush = () => {
    timer = undefined;
    if (latest === undefined) return;
    const text = latest;
    latest = undefined;
    sending = sending
      .then(async () => {
        // The edit before may have taken long (a slow network, a busy machine): the interval is
        // counted from when an edit is sent, not from when it was asked for.
        const wait = lastEdit + intervalMs - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        lastEdit = performance.now();
        return edit(text);
      })
      .catch((error: unknown) => logger.warn({ err: error }, "could not show the growing answer"));
  };

  return {
    /** Takes the text so far; never throws. */
    push(text: string): void {
      latest = text;
      timer ??= setTimeout(flush, Math.max(0, lastEdit + intervalMs - performance.now()));
    },
    /** Drops what was not sent, waits for the edit under way, and for the interval to pass. */
    async finish(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      latest = undefined;
      await sending;
      const wait = lastEdit + intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
