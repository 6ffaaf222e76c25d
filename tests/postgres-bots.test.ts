import { afterAll, beforeAll, expect, test } from "vitest";
import type { Bot } from "../src/discord/start.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, PERMISSIONS, snowflake } from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { body, servePages } from "./support/pages.js";

// Two bots (two shards, or two machines) on one PostgreSQL: what one is given, the other answers,
// with no message between them. Each has its own Discord connection, pool and knowledge base.

const OWNER = snowflake();
const FESTIVAL = "When does the Zorblat lantern festival take place?";
const ZORBLAT = Buffer.from(
  "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every February in Tromsø, when thousands of paper lanterns are floated down the harbour.\n",
);

let first: LoopbackDiscord;
let second: LoopbackDiscord;
let firstBot: Bot;
let secondBot: Bot;
let pages: Awaited<ReturnType<typeof servePages>>;
let data: Awaited<ReturnType<typeof tempDataDir>>;

beforeAll(async () => {
  [first, second] = await Promise.all([LoopbackDiscord.start(), LoopbackDiscord.start()]);
  pages = await servePages({ "/zorblat.txt": body(ZORBLAT) });
  data = await tempDataDir();
  const env = { DATA_DIR: data.dir, OWNER_IDS: OWNER, ALLOW_PRIVATE_URLS: "true" };
  firstBot = await startTestBot(first, env);
  secondBot = await startTestBot(second, env);
});

afterAll(async () => {
  await firstBot?.stop();
  await secondBot?.stop();
  await first?.close();
  await second?.close();
  await pages?.close();
  await data?.remove();
});

test("a document added through one bot is answered by the other within 1 s, and removed from both", async () => {
  const before = await second.command("ask", { question: FESTIVAL }).message();
  expect(before.embeds[0].description).not.toContain("every February");

  const owner = { permissions: PERMISSIONS.manageGuild, userId: OWNER };
  const added = await first
    .command(
      "document add",
      {
        file: { filename: "zorblat.txt", size: ZORBLAT.length, url: pages.url("/zorblat.txt") },
        scope: "shared",
      },
      owner,
    )
    .message(0, 60_000);
  expect(added.embeds[0].title).toBe("Added: Zorblat lantern festival");

  const asked = performance.now();
  const answer = await second.command("ask", { question: FESTIVAL }).message();
  expect(performance.now() - asked).toBeLessThan(1000);
  expect(answer.embeds[0].description).toContain("every February in Tromsø");

  const removed = await first
    .command("document remove", { document: "zorblat.txt", scope: "shared" }, owner)
    .message(0, 60_000);
  expect(removed.embeds[0]?.title ?? removed.content).toMatch(/Removed/);
  const after = await second.command("ask", { question: FESTIVAL }).message();
  expect(after.embeds[0].description).not.toContain("every February");
});
