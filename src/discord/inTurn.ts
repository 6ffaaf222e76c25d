import { setTimeout as delay, setImmediate as nextTurn } from "node:timers/promises";

let last: Promise<unknown> = Promise.resolve();

/**
 * Runs work after the work queued before it has finished, each in a turn of the event loop of its
 * own. Answers that only compute (quoting, with local embeddings) then cannot hold up each other's
 * acknowledgements: between two of them, timers fire and requests go out. Started together (many
 * interactions arrive in one read of the gateway), they would otherwise run back to back, and the
 * last would be acknowledged only after all of them were answered.
 */
export function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const turn = last.then(() => nextTurn()).then(work);
  last = turn.catch(() => undefined);
  return turn;
}

/** What promised resolves to, if it does within ms; undefined otherwise. */
export function within<T>(promised: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promised, delay(Math.max(0, ms), undefined, { ref: false })]);
}
