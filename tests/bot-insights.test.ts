import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Bot } from "../src/discord/start.js";
import type { History } from "../src/history/index.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, PERMISSIONS, snowflake } from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { openTestHistory } from "./support/history.js";
import { decodePng } from "./support/png.js";
import { run } from "./support/run.js";

const DAY_MS = 86_400_000;
const ARTICLE = "un-hrc-cooperation-resolution.txt";
const BYLAW = "harbour-bylaw.txt";

let discord: LoopbackDiscord;
let bot: Bot;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let env: Record<string, string>;
let history: History;
const moderator = {
  permissions:
    PERMISSIONS.viewChannel |
    PERMISSIONS.sendMessages |
    PERMISSIONS.useApplicationCommands |
    PERMISSIONS.manageGuild,
};

/** A question as the bot would have recorded it `daysAgo` days ago in `guildId`. */
async function seed(
  guildId: string,
  question: string,
  daysAgo: number,
  answered: boolean,
  votes: ("up" | "down")[] = [],
): Promise<void> {
  const id = `seed-${snowflake()}`;
  const at = new Date(Date.now() - daysAgo * DAY_MS);
  await history.record({
    id,
    at,
    guildId,
    channelId: snowflake(),
    userId: snowflake(),
    question,
    answer: answered ? `An answer to: ${question}` : "I couldn't find that in the documents.",
    answered,
    mode: "extractive",
    ms: answered ? 20 : 10,
    sources: answered ? [ARTICLE] : [],
  });
  for (const vote of votes) await history.vote(id, snowflake(), vote, at);
}

beforeAll(async () => {
  discord = await LoopbackDiscord.start();
  data = await tempDataDir();
  await writeFile(
    path.join(data.docs, BYLAW),
    "Harbour bylaw on mooring fees\n\nThe harbour bylaw on mooring fees was adopted on 4 May 2019.\n",
  );
  env = { DATA_DIR: data.dir, MOD_ROLE_IDS: discord.moderatorRoleId };
  history = openTestHistory(data.dir);
  const guild = discord.guildId;
  // Refused, in other words: one gap of 4, one of 2, one of 1.
  await seed(guild, "What are the parking fees at the port?", 1, false);
  await seed(guild, "What are the parking fees at the port?", 2, false);
  await seed(guild, "What is the price of parking at the harbour?", 3, false);
  await seed(guild, "the parking fees at the port are what?", 4, false);
  await seed(guild, "When does the ferry leave?", 5, false);
  await seed(guild, "What time does the ferry depart?", 6, false);
  await seed(guild, "What is the capital of France?", 7, false);
  // Answered: four times the same question, one answer disliked twice.
  await seed(guild, "Who sponsored the resolution?", 1, true, ["down", "down", "up"]);
  await seed(guild, "Who sponsored the resolution?", 2, true);
  await seed(guild, "Which country sponsored the resolution?", 3, true);
  await seed(guild, "Who sponsored the resolution?", 8, true);
  // Neither another server's questions nor those before the period count.
  await seed(snowflake(), "What is the price of parking at the harbour?", 1, false);
  await seed(guild, "What is the price of parking at the harbour?", 40, false);
  // Older than HISTORY_DAYS (90): deleted when the bot starts.
  await seed(guild, "What is the oldest question?", 200, false);
  await history.close();
  bot = await startTestBot(discord, env);
});

afterAll(async () => {
  await bot?.stop();
  await history?.close();
  await discord?.close();
  await data?.remove();
});

test("/insights shows a moderator the counts, the gaps grouped, the 👎 answers, the documents and a PNG chart", async () => {
  const interaction = discord.command("insights", {}, moderator);
  expect(await interaction.acknowledged()).toMatchObject({ type: 5, ephemeral: true });
  const reply = await interaction.waitFor((i) => i.messages.find((m) => m.embeds.length));
  expect(reply.ephemeral).toBe(true);
  const [embed] = reply.embeds;
  expect(embed.description).toContain(
    "**11** questions in the last 30 days: **4** answered, **7** refused (answer rate 36%)",
  );
  expect(embed.description).toContain("Median time to answer: 10 ms");
  expect(embed.description).toContain("👍 1 · 👎 2");
  const field = (name: string) =>
    (embed.fields as { name: string; value: string }[]).find((f) => f.name === name)?.value;
  expect(field("What the documents miss")?.split("\n").slice(0, 3)).toEqual([
    "4× What are the parking fees at the port?",
    expect.stringMatching(/^2× (When does the ferry leave|What time does the ferry depart)\?$/),
    "1× What is the capital of France?",
  ]);
  expect(field("Most asked")).toMatch(/^4× .*\n4× /);
  expect(field("Answers with 👎")).toContain("2× **Who sponsored the resolution?**");
  expect(field("Documents cited most")).toBe(`4× ${ARTICLE}`);
  expect(field("Documents never cited")).toContain(BYLAW);

  expect(reply.files).toHaveLength(1);
  expect(reply.files[0].name).toBe("insights.png");
  expect(embed.image.url).toBe("attachment://insights.png");
  const { width, height } = decodePng(reply.files[0].data);
  expect(width).toBeGreaterThan(300);
  expect(height).toBeGreaterThan(100);
});

test("/insights days:3 covers the last three days only", async () => {
  const reply = await discord
    .command("insights", { days: 3 }, moderator)
    .waitFor((i) => i.messages.find((m) => m.embeds.length));
  // Days 1 and 2 ago and today: two refused and two answered of the seeded ones.
  expect(reply.embeds[0].description).toContain("**4** questions in the last 3 days");
});

test("a member who is not a moderator is refused, privately", async () => {
  const interaction = discord.command("insights");
  const reply = await interaction.message();
  expect(reply).toMatchObject({ kind: "reply", ephemeral: true });
  expect(reply.content).toContain("Only moderators");
  expect(reply.files).toEqual([]);
});

test("the bot deletes questions older than HISTORY_DAYS when it starts", async () => {
  const reader = openTestHistory(data.dir);
  const all = await reader.questions({ since: new Date(0) });
  await reader.close();
  expect(all.map((q) => q.question)).not.toContain("What is the oldest question?");
  expect(all.map((q) => q.question)).toContain("What is the capital of France?");
});

test("npm run insights -- --json prints the same report for scripts", async () => {
  const cli = run(["run", "--silent", "insights", "--", "--json", "--guild", discord.guildId], {
    DATA_DIR: data.dir,
  });
  expect(await cli.exited).toBe(0);
  const report = JSON.parse(cli.output().stdout);
  expect(report).toMatchObject({
    questions: 11,
    answered: 4,
    refused: 7,
    votes: { up: 1, down: 2 },
    documents: { cited: [{ source: ARTICLE, count: 4 }], never: [BYLAW] },
  });
  expect(report.gaps[0]).toEqual({ question: "What are the parking fees at the port?", count: 4 });
  expect(report.gaps).toHaveLength(3);
  expect(report.downvoted[0]).toMatchObject({
    question: "Who sponsored the resolution?",
    answer: "An answer to: Who sponsored the resolution?",
  });

  const text = run(["run", "--silent", "insights", "--", "--days", "400"], { DATA_DIR: data.dir });
  expect(await text.exited).toBe(0);
  expect(text.output().stdout).toContain("What the documents miss (refused):");
  // Every server, 400 days: the other server's question, the one 40 days ago, and the one 200
  // days ago count too (its text is gone, its day's counts are kept).
  expect(text.output().stdout).toMatch(/Questions: 14 \(4 answered, 10 refused/);

  const wrong = run(["run", "--silent", "insights", "--", "--days", "zero"], {
    DATA_DIR: data.dir,
  });
  expect(await wrong.exited).toBe(2);
  expect(wrong.output().stderr).toContain("--days must be a whole number");
});
