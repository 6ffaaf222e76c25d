import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { REFUSAL } from "../src/answer/types.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, PERMISSIONS } from "./support/discord.js";
import { killGroup, run } from "./support/run.js";

// The bot as `npm run start:sharded` runs it, against a loopback Discord that recommends 2 shards
// and has one server on each.

const FESTIVAL = "When does the Zorblat lantern festival take place?";
const moderator = { permissions: PERMISSIONS.manageGuild };

let discord: LoopbackDiscord;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let bot: ReturnType<typeof run>;

/** The JSON log lines the bot wrote so far with this message. */
function logs(msg: string): Record<string, unknown>[] {
  return bot
    .output()
    .stderr.split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line))
    .filter((line) => line.msg === msg);
}

beforeAll(async () => {
  discord = await LoopbackDiscord.start({ shards: 2 });
  data = await tempDataDir();
  bot = run(["run", "start:sharded"], { ...discord.env(), DATA_DIR: data.dir, LOG_LEVEL: "info" });
  await Promise.race([
    discord.connected(60_000),
    bot.exited.then((code) => {
      throw new Error(`npm run start:sharded exited with ${code}: ${bot.output().stderr}`);
    }),
  ]);
  await vi.waitFor(() => expect(logs("every shard is ready")).toHaveLength(1), {
    timeout: 10_000,
  });
});

afterAll(async () => {
  if (bot) killGroup(bot.child);
  await discord?.close();
  await data?.remove();
});

test("it starts as many shards as /gateway/bot recommends, each in its own process, after building the index once", () => {
  const shards = discord.identifies.map((identify) => identify.shard);
  expect(shards.sort()).toEqual([
    [0, 2],
    [1, 2],
  ]);
  const ready = logs("connected to Discord");
  expect(ready.map((line) => line.shard).sort()).toEqual([0, 1]);
  expect(new Set(ready.map((line) => line.pid)).size).toBe(2);
  expect(logs("shard ready").map((line) => line.shard)).toEqual([0, 1]);
  // The manager built it; the shards will load it.
  expect(logs("index ready")[0]).toMatchObject({ rebuilt: "no index yet" });
  expect(logs("index ready")[0].shard).toBeUndefined();
});

test("each shard answers /ask in its own server", async () => {
  const asks = discord.guilds.map((guild) =>
    discord.command("ask", { question: "Who sponsored the resolution?" }, { guildId: guild.id }),
  );
  expect(asks.map((ask) => ask.shard)).toEqual([0, 1]);
  for (const ask of asks) {
    expect((await ask.acknowledged()).ms).toBeLessThan(3000);
    expect((await ask.message()).embeds[0].description).toContain("China-sponsored resolution");
  }
  // Both shards loaded the index the manager built, and none built another.
  const loaded = logs("index ready").filter((line) => line.shard !== undefined);
  expect(loaded).toHaveLength(2);
  for (const line of loaded) expect(line.rebuilt).toBeUndefined();
  expect(await readdir(path.join(data.dir, "index", "builds"))).toHaveLength(1);
});

test("/reload on one shard reaches every shard: the reply says so, and the other shard answers from the new document", async () => {
  const [first, second] = discord.guilds;
  const before = await discord
    .command("ask", { question: FESTIVAL }, { guildId: second.id })
    .message();
  expect(before.embeds[0].description).toContain(REFUSAL);

  await writeFile(
    path.join(data.dir, "docs", "zorblat.txt"),
    "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every February in Tromsø, when thousands of paper lanterns are floated down the harbour.\n",
  );
  const reload = discord.command("reload", {}, { ...moderator, guildId: first.id });
  expect(reload.shard).toBe(0);
  const [embed] = (await reload.message()).embeds;
  expect(embed.title).toBe("Documents reloaded");
  expect(embed.description).toContain("2 of 2 shards now answer from the new index.");
  expect(embed.fields).toContainEqual(expect.objectContaining({ value: "zorblat.txt" }));

  const after = discord.command("ask", { question: FESTIVAL }, { guildId: second.id });
  expect(after.shard).toBe(1);
  const answer = await after.message();
  expect(answer.embeds[0].description).toContain("every February in Tromsø");
  expect(answer.embeds[0].fields[0].value).toMatch(/^zorblat\.txt, chunk 1/);
});

test("a shard that dies is started again and answers in its server", async () => {
  const [started] = logs("shard started").filter((line) => line.shard === 1);
  process.kill(started.shardPid as number, "SIGKILL");
  await vi.waitFor(() => expect(logs("shard ready").map((line) => line.shard)).toEqual([0, 1, 1]), {
    timeout: 20_000,
  });
  expect(logs("shard died; starting it again")).toMatchObject([{ shard: 1, signal: "SIGKILL" }]);
  await discord.connected();
  const ask = discord.command("ask", { question: FESTIVAL }, { guildId: discord.guilds[1].id });
  expect(ask.shard).toBe(1);
  expect((await ask.message()).embeds[0].description).toContain("every February in Tromsø");
});

test("SIGTERM stops every shard cleanly, then the manager", async () => {
  const closesBefore = discord.gatewayCloses.length;
  process.kill(-(bot.child.pid as number), "SIGTERM");
  await bot.closed;
  expect(discord.gatewayCloses.slice(closesBefore)).toEqual([1000, 1000]);
  expect(
    logs("shard stopped")
      .map((line) => line.shard)
      .sort(),
  ).toEqual([0, 1]);
  const { stderr } = bot.output();
  expect(stderr.trim().split("\n").at(-1)).toMatch(/"msg":"stopped"\}$/);
  expect(stderr).not.toContain(discord.token);
});

test("a SHARD_COUNT that is not auto or a whole number stops it with a message naming the variable", async () => {
  const bad = run(["run", "start:sharded"], {
    ...discord.env(),
    DATA_DIR: data.dir,
    SHARD_COUNT: "two",
  });
  try {
    expect(await bad.exited).toBe(1);
    const { stderr } = bad.output();
    expect(stderr).toContain('SHARD_COUNT: must be "auto" or a whole number of 1 or more');
    expect(stderr).toContain(".env.example");
  } finally {
    killGroup(bad.child);
  }
});
