import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { openAssistant } from "../src/assistant.js";
import { isAlive, temporaryOwner } from "../src/documents/leftovers.js";
import { guildLibrary } from "../src/index/library.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, PERMISSIONS } from "./support/discord.js";
import { body, servePages } from "./support/pages.js";
import { killGroup, run } from "./support/run.js";

// The bot as `npm start` runs it, killed (SIGKILL) in the middle of /document add: the library
// must be found as before the add or as after it, never a mix, and nothing temporary left.

const FACT = "The Zorblat lantern festival takes place every February in Tromsø.";
const QUESTION = "When does the Zorblat lantern festival take place?";
// About 2 MB of varied sentences, so that the library's build takes a while.
const LARGE = [
  "Zorblat lantern festival",
  FACT,
  ...Array.from(
    { length: 20_000 },
    (_, i) =>
      `Harbour record ${i}: the ferry number ${i % 97} carried ${i * 7} passengers past lighthouse ${i % 13}.`,
  ),
].join("\n\n");

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test("a SIGKILL during an add leaves the documents and the index as before or as after", async () => {
  const discord = await LoopbackDiscord.start();
  cleanups.push(() => discord.close());
  const pages = await servePages({ "/zorblat.txt": body(LARGE) });
  cleanups.push(() => pages.close());
  const data = await tempDataDir();
  cleanups.push(data.remove);
  const bot = run(["start"], { ...discord.env(), DATA_DIR: data.dir, LOG_LEVEL: "warn" });
  cleanups.push(() => killGroup(bot.child));
  await Promise.race([
    discord.connected(90_000),
    bot.exited.then((code) => {
      throw new Error(`npm start exited with ${code}: ${bot.output().stderr}`);
    }),
  ]);
  const docs = path.join(data.dir, "guilds", discord.guildId, "docs");
  const interaction = discord.command(
    "document add",
    {
      file: {
        filename: "zorblat.txt",
        size: Buffer.byteLength(LARGE),
        url: pages.url("/zorblat.txt"),
      },
    },
    { permissions: PERMISSIONS.manageGuild },
  );
  await interaction.acknowledged(10_000);
  // Killed as soon as the add has written anything into the library's folder.
  for (let waited = 0; (await readdir(docs).catch(() => [])).length === 0; waited += 5) {
    if (waited > 60_000) throw new Error("the add never wrote into the library's folder");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  killGroup(bot.child);
  await bot.closed;
  expect(interaction.messages).toEqual([]);
  // A bot is started again once the killed one is gone (not while it is still being reaped).
  for (const name of await readdir(docs)) {
    const pid = temporaryOwner(name);
    for (let waited = 0; pid !== undefined && isAlive(pid) && waited < 10_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
  }

  // Started again: the library opens with exactly the documents its folder holds.
  const { assistant } = await openAssistant(data.config);
  const index = await assistant.knowledgeBase.library(guildLibrary(discord.guildId));
  const files = await readdir(docs);
  expect(files.filter((name) => name.startsWith("."))).toEqual([]);
  expect(index?.manifest.documents.map((doc) => doc.source) ?? []).toEqual(files);
  const answer = await answerQuestion(assistant, QUESTION, { guildId: discord.guildId });
  if (files.includes("zorblat.txt")) expect(answer.answer).toContain("every February in Tromsø");
  else {
    expect(files).toEqual([]);
    expect(answer.answered).toBe(false);
  }
}, 180_000);
