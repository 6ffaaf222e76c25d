import type { Client } from "discord.js";
import type { Assistant } from "../assistant.js";
import { logger } from "../logger.js";

/** The client event on which a shard loads the index another shard built. */
const REFRESH_EVENT = "refreshDocuments";
// A shard that dies while loading never answers (discord.js drops the pending request).
const REFRESH_TIMEOUT_MS = 60_000;

type RefreshResult = { builtAt: string } | { error: string };

export interface ShardsRefreshed {
  /** Shards that now answer from the new index. */
  refreshed: number;
  total: number;
}

/** Makes this shard load the current index from disk when a /reload on any shard asks it to. */
export function listenForRefresh(client: Client, assistant: Promise<Assistant>): void {
  client.on(REFRESH_EVENT, (done: (result: RefreshResult) => void) => {
    assistant
      .then(({ knowledgeBase }) => knowledgeBase.refresh())
      .then(
        (manifest) => {
          logger.info({ builtAt: manifest.builtAt }, "answering from the current index");
          done({ builtAt: manifest.builtAt });
        },
        (error: unknown) => {
          logger.error({ err: error }, "could not load the new index; the previous one answers");
          done({ error: error instanceof Error ? error.message : String(error) });
        },
      );
  });
}

/**
 * After a reload on this shard: tells every shard to load the index on disk, and counts those that
 * answer from the one built at builtAt. This shard too: a refresh that was under way here when the
 * reload finished may have put an older index back.
 */
export async function refreshAllShards(client: Client, builtAt: string): Promise<ShardsRefreshed> {
  const { shard } = client;
  if (!shard) throw new Error("this client is not a shard");
  const total = shard.count;
  const results = await Promise.allSettled(
    Array.from({ length: total }, (_, id) =>
      Promise.race([
        // Runs in each shard's process: it may use only its arguments.
        shard.broadcastEval(
          (c, { event }) => new Promise<RefreshResult>((resolve) => c.emit(event, resolve)),
          { shard: id, context: { event: REFRESH_EVENT } },
        ),
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`no answer within ${REFRESH_TIMEOUT_MS / 1000} s`)),
            REFRESH_TIMEOUT_MS,
          ).unref(),
        ),
      ]),
    ),
  );
  let refreshed = 0;
  results.forEach((result, id) => {
    const answer: RefreshResult =
      result.status === "fulfilled" ? result.value : { error: String(result.reason) };
    if ("error" in answer) {
      logger.error({ shard: id, reason: answer.error }, "a shard did not load the new index");
    } else if (answer.builtAt === builtAt) {
      refreshed += 1;
    } else {
      // Another reload finished in between: that shard answers from the newer index.
      logger.warn({ shard: id, builtAt: answer.builtAt }, "a shard answers from another index");
    }
  });
  return { refreshed, total };
}
