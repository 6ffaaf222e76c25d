import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadCoreConfig } from "../src/config.js";
import type { Bot } from "../src/discord/start.js";
import { type History, HistoryUnavailableError, openHistory } from "../src/history/index.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, PERMISSIONS, snowflake } from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { databaseOf, startDatabase, type TestDatabase } from "./support/postgres.js";
import { run } from "./support/run.js";

// The record of use in PostgreSQL (STORE=postgres): its schema, made by whichever process starts
// first, and a database that cannot be reached. What it records is tested through the History
// interface against both stores (history-contract.test.ts and the bot's tests).

let database: TestDatabase;
const opened: History[] = [];

beforeAll(async () => {
  database = await startDatabase();
});
afterAll(async () => {
  for (const history of opened) await history.close();
  await database?.stop();
});

function historyAt(url: string, historyDays = 90): History {
  const history = openHistory(
    loadCoreConfig({ STORE: "postgres", DATABASE_URL: url, HISTORY_DAYS: String(historyDays) }),
  );
  opened.push(history);
  return history;
}

function entry() {
  return {
    id: `a-${snowflake()}`,
    at: new Date(),
    guildId: snowflake(),
    userId: snowflake(),
    question: "Who sponsored the resolution?",
    answer: "China.",
    answered: true,
    mode: "extractive",
    ms: 3,
    sources: [],
  };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("processes starting at once create the record's schema once, apart from the libraries' schema, and again changes nothing", async () => {
  const many = [1, 2, 3, 4].map(() => historyAt(database.url));
  await Promise.all(many.map((history) => history.open()));
  await historyAt(database.url).open();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const versions = await client.query("SELECT version FROM docsbot_history_schema");
    expect(versions.rows).toEqual([{ version: 1 }]);
    const tables = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'docsbot%' ORDER BY 1",
    );
    expect(tables.rows.map((row) => row.name)).toEqual([
      "docsbot_history_answers",
      "docsbot_history_daily",
      "docsbot_history_schema",
      "docsbot_history_votes",
    ]);
  } finally {
    await client.end();
  }
  const answer = entry();
  await many[0].record(answer);
  expect(await many[3].find(answer.id)).toMatchObject({ guildId: answer.guildId });
});

test("a database written by a newer bot is not touched, and says to update the bot", async () => {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query("INSERT INTO docsbot_history_schema (version) VALUES (99)");
  try {
    const error = await historyAt(database.url)
      .open()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryUnavailableError);
    expect((error as Error).message).toContain("newer version of the bot (schema 99)");
  } finally {
    await client.query("DELETE FROM docsbot_history_schema WHERE version = 99");
    await client.end();
  }
});

test("a database that cannot be reached fails a recording within seconds, naming DATABASE_URL without its password; recording resumes when it is back", async () => {
  const url = `postgres://postgres:hunter2@127.0.0.1:${database.port}/postgres`;
  const history = historyAt(url);
  await history.record(entry());
  await database.pause();
  let error: unknown;
  const started = performance.now();
  try {
    error = await history.record(entry()).catch((e: unknown) => e);
  } finally {
    await database.resume();
  }
  expect(performance.now() - started).toBeLessThan(5000);
  expect(error).toBeInstanceOf(HistoryUnavailableError);
  const { message, where } = error as HistoryUnavailableError;
  expect(message).toContain("DATABASE_URL");
  expect(message).toContain("127.0.0.1");
  expect(message).not.toContain("hunter2");
  expect(where).toBe("the database at DATABASE_URL");
  const after = entry();
  await history.record(after);
  expect(await history.find(after.id)).toBeDefined();
});

test("npm run insights with an unreachable DATABASE_URL says so, naming it, and exits 1", async () => {
  const data = await tempDataDir({ withDocs: false });
  try {
    const url = `postgres://postgres:hunter2@127.0.0.1:${await closedPort()}/postgres`;
    const cli = run(["run", "--silent", "insights"], {
      DATA_DIR: data.dir,
      STORE: "postgres",
      DATABASE_URL: url,
    });
    expect(await cli.exited).toBe(1);
    const { stderr } = cli.output();
    expect(stderr).toContain("DATABASE_URL");
    expect(stderr).not.toContain("hunter2");
  } finally {
    await data.remove();
  }
});

test("/insights with the database away tells the moderator the record cannot be read, naming DATABASE_URL, and the bot goes on", async () => {
  const discord = await LoopbackDiscord.start();
  const data = await tempDataDir();
  let bot: Bot | undefined;
  try {
    bot = await startTestBot(discord, { DATA_DIR: data.dir, MOD_ROLE_IDS: "" });
    // The server's library is opened by a first question, as in a bot that has been running.
    await discord.command("ask", { question: "Who sponsored the resolution?" }).message();
    const moderator = {
      permissions:
        PERMISSIONS.viewChannel |
        PERMISSIONS.sendMessages |
        PERMISSIONS.useApplicationCommands |
        PERMISSIONS.manageGuild,
    };
    const own = databaseOf(data.dir);
    await own?.pause();
    try {
      const reply = await discord
        .command("insights", {}, moderator)
        .waitFor((i) => i.messages.find((m) => m.content || m.embeds.length), 30_000);
      expect(reply.ephemeral).toBe(true);
      expect(reply.content).toContain("cannot be read just now");
      expect(reply.content).toContain("DATABASE_URL");
    } finally {
      await own?.resume();
    }
    const after = await discord
      .command("insights", {}, moderator)
      .waitFor((i) => i.messages.find((m) => m.embeds.length), 30_000);
    expect(after.embeds[0].description).toContain("questions in the last 30 days");
  } finally {
    await bot?.stop();
    await discord.close();
    await data.remove();
  }
});
