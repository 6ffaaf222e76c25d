import { expect, it } from "vitest";
import { throttledEdits } from "../src/discord/throttledEdits.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("counts the interval between edits from when each is sent, though the one before was slow", async () => {
  const interval = 200;
  const started: number[] = [];
  const sent: string[] = [];
  const edits = throttledEdits(async (text) => {
    started.push(performance.now());
    sent.push(text);
    // The first edit takes longer than the interval (a slow network, a busy machine).
    if (sent.length === 1) await sleep(interval * 1.5);
  }, interval);
  edits.push("one");
  await sleep(interval * 1.2);
  edits.push("one two");
  await sleep(interval * 0.5);
  edits.push("one two three");
  await sleep(interval * 3);
  await edits.finish();
  expect(sent.at(-1)).toBe("one two three");
  for (let i = 1; i < started.length; i++)
    expect(started[i] - started[i - 1]).toBeGreaterThanOrEqual(interval - 5);
});
