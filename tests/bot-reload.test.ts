import { copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { REFUSAL } from "../src/answer/types.js";
import type { Bot } from "../src/discord/start.js";
import { logger } from "../src/logger.js";
import { REPO, tempDataDir } from "./support/dataDir.js";
import { type DispatchedInteraction, LoopbackDiscord, PERMISSIONS } from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { TEST_STORE } from "./support/postgres.js";

// Enough text (about 1 MB, 2000 chunks) that building the index takes a moment. PGlite, the tests'
// PostgreSQL, writes about 20 chunks a second into its HNSW index (WebAssembly, sharing the cores
// with the test): there, a tenth of that still takes seconds and overflows /docs.
const COPIES = TEST_STORE === "postgres" ? 60 : 400;
// Questions sent at once during a reload. PGlite answers one statement at a time, each a hundred
// times slower than PostgreSQL (whose figures are in the README): ten already queue for seconds.
const AT_ONCE = TEST_STORE === "postgres" ? 10 : 50;
const moderator = { permissions: PERMISSIONS.manageGuild };
const FESTIVAL = "When does the Zorblat lantern festival take place?";

let discord: LoopbackDiscord;
let bot: Bot;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let docs: string;
let early: DispatchedInteraction;
let indexReadyAt = 0;

beforeAll(async () => {
  discord = await LoopbackDiscord.start();
  data = await tempDataDir();
  docs = path.join(data.dir, "docs");
  await mkdir(path.join(docs, "copies"));
  const article = path.join(REPO, "data/docs/un-hrc-cooperation-resolution.txt");
  for (let i = 1; i <= COPIES; i++) {
    await copyFile(article, path.join(docs, "copies", `copy-${String(i).padStart(3, "0")}.txt`));
  }
  const info = vi.spyOn(logger, "info").mockImplementation(function (
    this: unknown,
    ...args: unknown[]
  ) {
    if (args.includes("index ready")) indexReadyAt = performance.now();
  } as typeof logger.info);
  const starting = startTestBot(discord, { DATA_DIR: data.dir, ASK_COOLDOWN_COUNT: "100" });
  // The gateway is up long before the index is built: a question arrives in between.
  await discord.connected();
  early = discord.command("ask", { question: "Who sponsored the resolution?" });
  bot = await starting;
  info.mockRestore();
});

afterAll(async () => {
  await bot?.stop();
  await discord?.close();
  await data?.remove();
});

function fieldValue(embed: { fields?: { name: string; value: string }[] }, name: RegExp): string {
  return embed.fields?.find((field) => name.test(field.name))?.value ?? "";
}

test("an /ask that arrives while the index is being built is acknowledged in time, then answered", async () => {
  const ack = await early.acknowledged();
  expect(ack.ms).toBeLessThan(3000);
  // Deferred while the index is not open, then edited with the answer.
  expect(ack.type).toBe(5);
  expect(early.dispatchedAt + ack.ms).toBeLessThan(indexReadyAt);
  const reply = await early.message();
  expect(reply.kind).toBe("edit");
  expect(reply.embeds[0].description).toContain("China-sponsored resolution");
});

test("/docs with hundreds of documents lists as many as fit and says how many more there are", async () => {
  const reply = await discord.command("docs").message();
  const [embed] = reply.embeds;
  expect(embed.title).toBe(`Documents (${COPIES + 1})`);
  expect(embed.description.length).toBeLessThanOrEqual(4096);
  const lines = embed.description.split("\n");
  const listed = lines.length - 1;
  expect(lines.at(-1)).toBe(`… and ${COPIES + 1 - listed} more`);
  expect(lines[0]).toMatch(
    /^• \*\*UN rights body adopts .*\*\*: 5 chunks \(copies\/copy-001\.txt\)$/,
  );
});

test("a document added between two reloads is counted by the next reload, then answered", async () => {
  const before = await discord.command("ask", { question: FESTIVAL }).message();
  expect(before.embeds[0].description).toContain(REFUSAL);

  await writeFile(
    path.join(docs, "zorblat.txt"),
    "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every February in Tromsø, when thousands of paper lanterns are floated down the harbour.\n",
  );
  const reload = await discord.command("reload", {}, moderator).message();
  expect(reload.ephemeral).toBe(true);
  const [embed] = reload.embeds;
  expect(embed.title).toBe("Documents reloaded");
  expect(embed.description).toMatch(
    new RegExp(`^${COPIES + 2} documents, \\d+ chunks, indexed in `),
  );
  expect(fieldValue(embed, /^Added \(1\)$/)).toBe("zorblat.txt");

  const after = await discord.command("ask", { question: FESTIVAL }).message();
  expect(after.embeds[0].description).toContain("every February in Tromsø");
  expect(after.embeds[0].fields[0].value).toMatch(/^zorblat\.txt, chunk 1/);
});

test("changed, removed and skipped files are reported, the skipped ones with their reason", async () => {
  await writeFile(
    path.join(docs, "zorblat.txt"),
    "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every March in Tromsø.\n",
  );
  await rm(path.join(docs, "copies", `copy-${String(COPIES).padStart(3, "0")}.txt`));
  await writeFile(path.join(docs, "minutes.pdf"), "%PDF-1.4");
  await writeFile(path.join(docs, "broken.txt"), Buffer.from([0x61, 0x00, 0x62]));

  const [embed] = (await discord.command("reload", {}, moderator).message()).embeds;
  expect(fieldValue(embed, /^Changed \(1\)$/)).toBe("zorblat.txt");
  expect(fieldValue(embed, /^Removed \(1\)$/)).toBe(
    `copies/copy-${String(COPIES).padStart(3, "0")}.txt`,
  );
  const skipped = fieldValue(embed, /^Skipped \(2\)$/);
  expect(skipped).toContain("broken.txt: binary file");
  expect(skipped).toContain('minutes.pdf: unsupported file type ".pdf"');

  const answer = await discord.command("ask", { question: FESTIVAL }).message();
  expect(answer.embeds[0].description).toContain("every March in Tromsø");
});

test("50 questions (10 on PGlite) dispatched at once during a reload are all answered, none fails; a second reload is told one runs", async () => {
  await writeFile(
    path.join(docs, "extra.txt"),
    "Extra\n\nAn extra document, so that the reload has something to add.\n",
  );
  const reload = discord.command("reload", {}, moderator);
  const questions = Array.from({ length: AT_ONCE }, () =>
    discord.command("ask", { question: "Which countries co-sponsored the resolution?" }),
  );
  await reload.acknowledged();
  await vi.waitFor(() => expect(bot.assistant.knowledgeBase.isReloading).toBe(true));
  const second = await discord.command("reload", {}, moderator).message();
  expect(second.content).toMatch(/^A reload is already running/);

  const acks = await Promise.all(questions.map((question) => question.acknowledged()));
  for (const ack of acks) expect(ack.ms).toBeLessThan(3000);
  const answers = await Promise.all(questions.map((question) => question.message()));
  for (const answer of answers) {
    expect(answer.embeds[0].description).toContain("Belarus, Cuba, Egypt");
  }
  const reloaded = await reload.message();
  expect(fieldValue(reloaded.embeds[0], /^Added \(1\)$/)).toBe("extra.txt");
  // Some were answered from the old index while the new one was being built.
  expect(answers.filter((answer) => answer.at < reloaded.at).length).toBeGreaterThan(0);
});

test("a reload that fails reports the error and keeps the old index answering", async () => {
  const builtAt = bot.assistant.knowledgeBase.manifest.builtAt;
  await rename(docs, `${docs}-away`);
  await mkdir(docs);
  try {
    const [embed] = (await discord.command("reload", {}, moderator).message()).embeds;
    expect(embed.title).toBe("Reload failed");
    expect(embed.description).toContain("still answered from the previous index");
    expect(fieldValue(embed, /^Error$/)).toContain("No usable document in");
  } finally {
    await rm(docs, { recursive: true });
    await rename(`${docs}-away`, docs);
  }
  expect(bot.assistant.knowledgeBase.manifest.builtAt).toBe(builtAt);
  const answer = await discord.command("ask", { question: FESTIVAL }).message();
  expect(answer.embeds[0].description).toContain("every March in Tromsø");
});
