import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { REPO, tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord } from "./support/discord.js";
import { killGroup, run } from "./support/run.js";

let discord: LoopbackDiscord;
let data: Awaited<ReturnType<typeof tempDataDir>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  discord = await LoopbackDiscord.start();
  data = await tempDataDir();
});

afterAll(async () => {
  for (const child of children) killGroup(child);
  await discord?.close();
  await data?.remove();
});

test("npm start logs in, builds the missing index for a relative DATA_DIR, answers /ask, and stops cleanly on SIGTERM", async () => {
  const closesBefore = discord.gatewayCloses.length;
  const bot = run(["start"], {
    ...discord.env(),
    DATA_DIR: path.relative(REPO, data.dir),
    LOG_LEVEL: "debug",
    // As in a .env copied from .env.example: the setting of `npm run start:sharded` only.
    SHARD_COUNT: "auto",
  });
  children.push(bot.child);
  await Promise.race([
    discord.connected(60_000),
    bot.exited.then((code) => {
      throw new Error(`npm start exited with ${code}: ${bot.output().stderr}`);
    }),
  ]);

  const interaction = discord.command("ask", { question: "Who sponsored the resolution?" });
  expect((await interaction.acknowledged()).ms).toBeLessThan(3000);
  const reply = await interaction.message();
  expect(reply.embeds[0].description).toContain("China-sponsored resolution");
  expect(existsSync(path.join(data.dir, "index", "current"))).toBe(true);

  // As a terminal's Ctrl-C or a service manager does: the signal goes to the whole process group.
  process.kill(-(bot.child.pid as number), "SIGTERM");
  await bot.closed;
  const { stderr } = bot.output();
  expect(discord.gatewayCloses.slice(closesBefore)).toEqual([1000]);
  expect(stderr).toContain('"msg":"connected to Discord"');
  expect(stderr.trim().split("\n").slice(-2).join("\n")).toMatch(
    /"signal":"SIGTERM","msg":"shutting down"\}\n.*"msg":"stopped"\}$/,
  );
  expect(stderr).not.toContain(discord.token);
  expect(discord.identifies.map((identify) => identify.token)).toContain(discord.token);
});

test("a missing variable stops the bot with a message that names it and points to .env.example", async () => {
  const bot = run(["start"], { ...discord.env(), DISCORD_TOKEN: "", DATA_DIR: data.dir });
  children.push(bot.child);
  expect(await bot.exited).toBe(1);
  const { stderr } = bot.output();
  expect(stderr).toContain("DISCORD_TOKEN: required");
  expect(stderr).toContain(".env.example");
});

test("a DATA_DIR without documents stops the bot with a message saying where to put them", async () => {
  const empty = await tempDataDir();
  await rm(path.join(empty.dir, "docs"), { recursive: true });
  try {
    const bot = run(["start"], { ...discord.env(), DATA_DIR: empty.dir });
    children.push(bot.child);
    expect(await bot.exited).toBe(1);
    expect(bot.output().stderr).toContain(`No usable document in ${path.join(empty.dir, "docs")}`);
  } finally {
    await empty.remove();
  }
});

test("a token Discord rejects stops the bot with a message saying so, and the token is not logged", async () => {
  const token = "not-the-right-token.abc";
  const bot = run(["start"], {
    ...discord.env(),
    DISCORD_TOKEN: token,
    DATA_DIR: data.dir,
    LOG_LEVEL: "trace",
  });
  children.push(bot.child);
  expect(await bot.exited).toBe(1);
  const { stderr } = bot.output();
  expect(stderr).toContain("Discord rejected DISCORD_TOKEN");
  expect(stderr).not.toContain(token);
});

test("npm run deploy-commands registers the commands in DISCORD_GUILD_ID, or globally without it", async () => {
  const guild = run(["run", "deploy-commands"], {
    ...discord.env(),
    DISCORD_GUILD_ID: discord.guildId,
  });
  const global = run(["run", "deploy-commands"], { ...discord.env(), DISCORD_GUILD_ID: "" });
  children.push(guild.child, global.child);
  expect(await guild.exited).toBe(0);
  expect(await global.exited).toBe(0);
  expect(guild.output().stdout).toContain(`Registered 5 commands in server ${discord.guildId}`);
  expect(guild.output().stdout).toContain("/ask, /docs, /document, /help, /reload");
  expect(global.output().stdout).toContain("Registered 5 commands globally");

  for (const scope of [discord.guildId, "global"]) {
    const commands = discord.registered.get(scope) as Record<string, unknown>[];
    expect(commands.map((command) => command.name)).toEqual([
      "ask",
      "docs",
      "document",
      "help",
      "reload",
    ]);
    const [ask, , document, , reload] = commands;
    expect(ask.options).toEqual([
      expect.objectContaining({
        name: "question",
        type: 3,
        required: true,
        min_length: 3,
        max_length: 500,
      }),
      expect.objectContaining({ name: "private", type: 5 }),
    ]);
    // Manage Server, and only in servers.
    expect(reload).toMatchObject({ default_member_permissions: "32", contexts: [0] });
    // /document follows the rule of /reload.
    expect(document).toMatchObject({ default_member_permissions: "32", contexts: [0] });
  }
});

test("deploy-commands with a token Discord rejects says so and exits 1", async () => {
  const deploy = run(["run", "deploy-commands"], { ...discord.env(), DISCORD_TOKEN: "wrong" });
  children.push(deploy.child);
  expect(await deploy.exited).toBe(1);
  expect(deploy.output().stderr).toContain("Discord rejected DISCORD_TOKEN");
});
