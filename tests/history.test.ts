import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, test, vi } from "vitest";
import { HistoryUnavailableError } from "../src/history/types.js";
import { logger } from "../src/logger.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, type SentMessage, snowflake } from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { openTestHistory, storedRows } from "./support/history.js";
import { databaseOf, TEST_STORE } from "./support/postgres.js";

const DAY_MS = 86_400_000;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length) await cleanups.pop()?.();
});

async function setUp(env: Record<string, string> = {}) {
  const discord = await LoopbackDiscord.start();
  const data = await tempDataDir();
  cleanups.push(
    () => data.remove(),
    () => discord.close(),
  );
  const config = { DATA_DIR: data.dir, ASK_COOLDOWN_COUNT: "100", ...env };
  const start = async () => {
    const bot = await startTestBot(discord, config);
    cleanups.push(() => bot.stop());
    return bot;
  };
  return { discord, data, config, start };
}

function answerOf(discord: LoopbackDiscord, question: string, invoker = {}) {
  return discord
    .command("ask", { question }, invoker)
    .waitFor((i) => i.messages.find((m) => m.body.components?.length)) as Promise<
    SentMessage & { id: string }
  >;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not ${what}`);
}

/** Every file under a folder, with its bytes. */
async function everyFile(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const file = path.join(entry.parentPath, entry.name);
        return { file, bytes: await readFile(file) };
      }),
  );
}

/** Every row of the record's tables, as JSON, read past the History interface. */
async function everyRow(dataDir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const tables = ["answers", "votes", "daily"] as const;
  const rows = await Promise.all(tables.map((table) => storedRows(dataDir, table)));
  return rows.flatMap((of, i) =>
    of.map((row) => ({ file: `${tables[i]} row`, bytes: Buffer.from(row) })),
  );
}

describe("retention", () => {
  test("purge deletes the questions and votes older than HISTORY_DAYS, and keeps the others", async () => {
    const { data } = await setUp();
    const history = openTestHistory(data.dir, 30);
    cleanups.push(() => history.close());
    const now = new Date();
    const entry = (id: string, daysAgo: number) => ({
      id,
      at: new Date(now.getTime() - daysAgo * DAY_MS),
      guildId: snowflake(),
      userId: snowflake(),
      question: `Question ${id}?`,
      answer: "An answer.",
      answered: true,
      mode: "extractive",
      ms: 5,
      sources: ["a.txt"],
    });
    await history.record(entry("old", 31));
    await history.record(entry("recent", 29));
    await history.vote("old", snowflake(), "down", now);
    expect(await history.purge(now)).toBe(1);
    expect(await history.find("old")).toBeUndefined();
    expect(await history.find("recent")).toMatchObject({ question: "Question recent?" });
    expect(await storedRows(data.dir, "votes")).toEqual([]);
  });
});

test("with HISTORY_DAYS=0 no question text and no member id is anywhere under DATA_DIR, and the counts are kept", async () => {
  const { discord, data, start } = await setUp({
    HISTORY_DAYS: "0",
    MOD_ROLE_IDS: "",
  });
  await start();
  const member = snowflake();
  const question = "Which countries co-sponsored the resolution in Geneva?";
  const refused = "Where does the Zanzibar quokka festival take place?";
  const reply = await answerOf(discord, question, { userId: member });
  await answerOf(discord, refused, { userId: member });
  const up = reply.body.components[0].components[0].custom_id;
  const ack = await discord.click(reply.id, up, { userId: member }).message();
  expect(ack.content).toContain("👍");
  const reader = openTestHistory(data.dir, 0);
  cleanups.push(() => reader.close());
  await until(async () => {
    const [day] = await reader.days({ since: new Date(0) });
    return day?.answered === 1 && day.refused === 1 && day.up === 1;
  }, "counted");
  expect(await reader.questions({ since: new Date(0) })).toEqual([]);

  await reader.close();
  const files = await everyFile(data.dir);
  // With STORE=postgres the record is in the database, not on the machine.
  expect(files.map((f) => path.basename(f.file)).includes("history.sqlite")).toBe(
    TEST_STORE === "local",
  );
  const rows = await everyRow(data.dir);
  for (const { file: name, bytes } of [...files, ...rows]) {
    for (const secret of [question, refused, "Zanzibar", member]) {
      expect(bytes.includes(secret), `${secret} in ${name}`).toBe(false);
    }
  }
});

test("turning HISTORY_DAYS to 0 removes the question text and member ids kept before", async () => {
  const { discord, data, config } = await setUp();
  // Stopped here, not again at the end: a bot is stopped once.
  const bot = await startTestBot(discord, config);
  const member = snowflake();
  const question = "Which countries co-sponsored the resolution in Geneva?";
  await answerOf(discord, question, { userId: member });
  const reader = openTestHistory(data.dir);
  await until(
    async () => (await reader.questions({ since: new Date(0) })).length === 1,
    "recorded",
  );
  await reader.close();
  await bot.stop();
  const again = await startTestBot(discord, { ...config, HISTORY_DAYS: "0" });
  cleanups.push(() => again.stop());
  await until(async () => {
    const files = [...(await everyFile(data.dir)), ...(await everyRow(data.dir))];
    return files.every(({ bytes }) => !bytes.includes(question) && !bytes.includes(member));
  }, "scrubbed");
  const counts = openTestHistory(data.dir, 0);
  cleanups.push(() => counts.close());
  expect(await counts.days({ since: new Date(0) })).toMatchObject([{ answered: 1 }]);
});

test.skipIf(TEST_STORE === "postgres")(
  "a locked record of use does not stop answers: the log says so, and recording resumes once it is free",
  async () => {
    const { discord, start, data } = await setUp();
    const file = path.join(data.dir, "history.sqlite");
    await start();
    await answerOf(discord, "Who sponsored the resolution?");
    const errors = vi.spyOn(logger, "error");
    const locker = new Database(file);
    locker.exec("BEGIN EXCLUSIVE");
    try {
      const reply = await answerOf(discord, "Which countries co-sponsored the resolution?");
      expect(reply.embeds[0].description).toContain("Belarus");
      await until(() => errors.mock.calls.length > 0, "logged");
      const [logged, message] = errors.mock.calls[0] as unknown as [{ err: Error }, string];
      expect(message).toContain("could not record the answer");
      expect(logged.err).toBeInstanceOf(HistoryUnavailableError);
      expect(logged.err.message).toContain("locked");
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
    await expectRecordedAgain(discord, data.dir, "recorded after the lock");
  },
);

test.runIf(TEST_STORE === "postgres")(
  "a record of use that cannot be written does not stop answers: the log names DATABASE_URL, and recording resumes once it can",
  async () => {
    const { discord, start, data } = await setUp();
    await start();
    await answerOf(discord, "Who sponsored the resolution?");
    const errors = vi.spyOn(logger, "error");
    // The answers' table out of the way (a migration or maintenance by hand), the library's kept.
    const admin = new pg.Client({ connectionString: databaseOf(data.dir)?.url });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query("ALTER TABLE docsbot_history_answers RENAME TO docsbot_history_aside");
    try {
      const reply = await answerOf(discord, "Which countries co-sponsored the resolution?");
      expect(reply.embeds[0].description).toContain("Belarus");
      await until(() => errors.mock.calls.length > 0, "logged");
      const [logged, message] = errors.mock.calls[0] as unknown as [{ err: Error }, string];
      expect(message).toContain("could not record the answer");
      expect(logged.err).toBeInstanceOf(HistoryUnavailableError);
      expect(logged.err.message).toContain("DATABASE_URL");
    } finally {
      await admin.query("ALTER TABLE docsbot_history_aside RENAME TO docsbot_history_answers");
    }
    await expectRecordedAgain(discord, data.dir, "recorded again");
  },
);

test.skipIf(TEST_STORE === "postgres")(
  "a damaged record of use does not stop the bot: it starts, answers and logs what is wrong",
  async () => {
    const { discord, data, start } = await setUp();
    await writeFile(path.join(data.dir, "history.sqlite"), "this is not a database ".repeat(200));
    const errors = vi.spyOn(logger, "error");
    await start();
    const reply = await answerOf(discord, "Who sponsored the resolution?");
    expect(reply.embeds[0].description).toContain("China-sponsored");
    await until(() => errors.mock.calls.length > 0, "logged");
    const messages = errors.mock.calls.map(([logged]) => String((logged as { err: Error }).err));
    expect(messages.join("\n")).toContain("damaged or not a SQLite database");
    // Its buttons answer, privately, that votes cannot be recorded now.
    const up = reply.body.components[0].components[0].custom_id;
    const ack = await discord.click(reply.id, up).message();
    expect(ack.ephemeral).toBe(true);
    expect(ack.content).toContain("cannot record votes just now");
  },
);

/** A question asked now is in the record of use (read by a reader of its own), soon. */
async function expectRecordedAgain(
  discord: Parameters<typeof answerOf>[0],
  dir: string,
  label: string,
): Promise<void> {
  await answerOf(discord, "What does the resolution say about vaccines?");
  const reader = openTestHistory(dir);
  cleanups.push(() => reader.close());
  await until(
    async () =>
      (await reader.questions({ since: new Date(0) })).some((q) => q.question.includes("vaccines")),
    label,
  );
}
