import type { ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ARTICLE, tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, PERMISSIONS } from "./support/discord.js";
import { killGroup, run } from "./support/run.js";

// One large document, as a new user tries it: the bot runs as `npm start` does, in its own
// process, so that the loopback Discord (here) keeps its own clock while the bot builds.

const DOCUMENT_BYTES = 1024 * 1024;
const QUESTIONS = 30;
const QUESTION_EVERY_MS = 200;
// The longest the bot's event loop may stall while it builds an index (issue 12).
const MAX_STALL_MS = 100;
const moderator = { permissions: PERMISSIONS.manageGuild };

let discord: LoopbackDiscord;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let bot: ReturnType<typeof run>;
let child: ChildProcess | undefined;

/** Paragraphs of the shipped article, numbered so that no two are the same, up to `bytes`. */
async function largeDocument(bytes: number): Promise<string> {
  const paragraphs = (await readFile(ARTICLE, "utf8")).split(/\n\s*\n/).filter(Boolean);
  const out: string[] = [];
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    const paragraph = `Section ${n + 1}. ${paragraphs[n % paragraphs.length]}`;
    out.push(paragraph);
    size += Buffer.byteLength(paragraph) + 2;
  }
  return out.join("\n\n");
}

/**
 * The bot's "event loop delay" reports (one a second) logged since `from`, an offset into its
 * stderr: the longest delay of each second, and the CPU time its main thread used in it.
 */
function stalls(from: number): { maxMs: number; cpuMs?: number }[] {
  return bot
    .output()
    .stderr.slice(from)
    .split("\n")
    .filter((line) => line.includes('"msg":"event loop delay"'))
    .map((line) => JSON.parse(line) as { maxMs: number; cpuMs?: number });
}

function waitForLog(text: string, from = 0, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (bot.output().stderr.indexOf(text, from) >= 0) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`no "${text}" in the log`));
      setTimeout(check, 50);
    };
    check();
  });
}

beforeAll(async () => {
  discord = await LoopbackDiscord.start();
  data = await tempDataDir();
  await writeFile(path.join(data.docs, "large.txt"), await largeDocument(DOCUMENT_BYTES));
  bot = run(["start"], {
    ...discord.env(),
    DATA_DIR: data.dir,
    LOG_LEVEL: "debug",
    ASK_COOLDOWN_COUNT: "100",
  });
  child = bot.child;
  await Promise.race([
    Promise.all([discord.connected(120_000), waitForLog('"msg":"index ready"')]),
    bot.exited.then((code) => {
      throw new Error(`npm start exited with ${code}: ${bot.output().stderr}`);
    }),
  ]);
});

afterAll(async () => {
  if (child) killGroup(child);
  await discord?.close();
  await data?.remove();
});

test("while it rebuilds the index of a 1 MB document, the bot's event loop never stalls more than 100 ms", async () => {
  // What follows the start (its own load of the index) is not part of the reload.
  for (let n = 0; n < 2; n++) {
    await waitForLog('"msg":"event loop delay"', bot.output().stderr.length);
  }
  const from = bot.output().stderr.length;
  const reloaded = await discord.command("reload", {}, moderator).message(0, 120_000);
  expect(reloaded.embeds[0].title).toBe("Documents reloaded");
  expect(reloaded.embeds[0].description).toMatch(/^2 documents, \d+ chunks/);
  // One more report, for the second the reload ended in.
  await waitForLog('"msg":"event loop delay"', bot.output().stderr.length);
  const seconds = stalls(from);
  expect(seconds.length).toBeGreaterThan(0);
  // A stall is the bot's own doing only as far as its thread ran: on a machine whose cores are
  // all busy (tests run side by side), the thread also waits for one, without doing anything.
  // On Linux the bot reports that CPU time; elsewhere the whole delay counts.
  const own = seconds.map(({ maxMs, cpuMs }) => Math.min(maxMs, cpuMs ?? maxMs));
  console.log(
    `longest stall during the reload: ${Math.max(...seconds.map((s) => s.maxMs))} ms, of which the bot's own work at most ${Math.max(...own)} ms`,
  );
  expect(Math.max(...own)).toBeLessThanOrEqual(MAX_STALL_MS);
});

test("30 /ask sent every 200 ms during that reload are all acknowledged within 3 s and answered", async () => {
  const reload = discord.command("reload", {}, moderator);
  const questions = [];
  for (let i = 0; i < QUESTIONS; i++) {
    questions.push(discord.command("ask", { question: "Who sponsored the resolution?" }));
    await new Promise((resolve) => setTimeout(resolve, QUESTION_EVERY_MS));
  }
  const reloaded = await reload.message(0, 120_000);
  expect(reloaded.embeds[0].title).toBe("Documents reloaded");

  const acks = await Promise.all(questions.map((question) => question.acknowledged()));
  const answers = await Promise.all(questions.map((question) => question.message(0, 60_000)));
  const slowest = Math.max(...acks.map((ack) => ack.ms));
  console.log(`slowest acknowledgement: ${Math.round(slowest)} ms`);
  expect(slowest).toBeLessThan(3000);
  for (const answer of answers) expect(answer.embeds[0].description).toContain("China");
});
