import { afterEach, beforeEach, expect, test } from "vitest";
import type { AnsweredQuestion, History } from "../src/history/index.js";
import { tempDataDir } from "./support/dataDir.js";
import { snowflake } from "./support/discord.js";
import { openTestHistory } from "./support/history.js";

// What the record of use does, through the History interface alone: the same tests run against
// the SQLite file (project local) and PostgreSQL (project postgres), as openHistory chooses.

const DAY_MS = 86_400_000;
let data: Awaited<ReturnType<typeof tempDataDir>>;
const opened: History[] = [];

// A record of its own for each test: a purge or HISTORY_DAYS=0 touches every row of the record.
beforeEach(async () => {
  data = await tempDataDir({ withDocs: false });
});
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
  await data?.remove();
});

/** A record of use of the test's DATA_DIR, as one more process would open it. */
function open(historyDays = 90): History {
  const history = openTestHistory(data.dir, historyDays);
  opened.push(history);
  return history;
}

function entry(fields: Partial<AnsweredQuestion> = {}): AnsweredQuestion {
  return {
    id: `a-${snowflake()}`,
    at: new Date(),
    guildId: snowflake(),
    channelId: snowflake(),
    userId: snowflake(),
    question: "Who sponsored the resolution?",
    answer: "China sponsored it.",
    answered: true,
    mode: "extractive",
    ms: 12.5,
    sources: ["b.txt", "a.txt"],
    ...fields,
  };
}

test("an answer is found by its id with its server, question and the answer it follows up; a DM's has no server", async () => {
  const history = open();
  const first = entry();
  const follow = entry({ guildId: first.guildId, parentId: first.id, question: "When?" });
  const dm = entry({ guildId: undefined, channelId: undefined });
  for (const e of [first, follow, dm]) await history.record(e);
  expect(await history.find(first.id)).toEqual({
    id: first.id,
    guildId: first.guildId,
    question: first.question,
  });
  expect(await history.find(follow.id)).toEqual({
    id: follow.id,
    guildId: first.guildId,
    question: "When?",
    parentId: first.id,
  });
  expect(await history.find(dm.id)).toEqual({ id: dm.id, question: dm.question });
  expect(await history.find("no-such-answer")).toBeUndefined();
  // One id is one answer: a second record with it is refused, not merged.
  await expect(history.record(first)).rejects.toThrow();
});

test("one vote per member and answer: recorded, unchanged, changed; the day's counts follow", async () => {
  const history = open();
  const answer = entry();
  await history.record(answer);
  const member = snowflake();
  const at = new Date();
  expect(await history.vote(answer.id, member, "up", at)).toBe("recorded");
  expect(await history.vote(answer.id, member, "up", at)).toBe("unchanged");
  expect(await history.vote(answer.id, member, "down", at)).toBe("changed");
  expect(await history.vote(answer.id, snowflake(), "down", at)).toBe("recorded");
  expect(await history.vote("no-such-answer", member, "up", at)).toBe("unknown");
  const period = { guildId: answer.guildId, since: new Date(Date.now() - DAY_MS) };
  expect(await history.days(period)).toEqual([
    { day: answer.at.toISOString().slice(0, 10), answered: 1, refused: 0, up: 0, down: 2 },
  ]);
  const [question] = await history.questions(period);
  expect(question).toEqual({
    id: answer.id,
    at: answer.at,
    question: answer.question,
    answer: answer.answer,
    answered: true,
    ms: 12.5,
    sources: ["b.txt", "a.txt"],
    up: 0,
    down: 2,
  });
});

test("each server's questions and counts apart, every server's together; a period starts where it says, oldest first", async () => {
  const history = open();
  const [one, two] = [snowflake(), snowflake()];
  const now = Date.now();
  await history.record(entry({ guildId: one, question: "Q1 today", at: new Date(now) }));
  await history.record(
    entry({ guildId: one, question: "Q1 two days ago", at: new Date(now - 2 * DAY_MS) }),
  );
  await history.record(
    entry({ guildId: one, question: "Q1 ten days ago", at: new Date(now - 10 * DAY_MS) }),
  );
  await history.record(
    entry({ guildId: two, question: "Q2 refused", answered: false, sources: [] }),
  );
  const since = new Date(now - 5 * DAY_MS);
  const ofOne = await history.questions({ guildId: one, since });
  expect(ofOne.map((q) => q.question)).toEqual(["Q1 two days ago", "Q1 today"]);
  expect((await history.questions({ guildId: two, since }))[0]).toMatchObject({
    question: "Q2 refused",
    answered: false,
    sources: [],
  });
  const every = (await history.questions({ since })).map((q) => q.question);
  expect(every).toEqual(expect.arrayContaining(["Q1 today", "Q1 two days ago", "Q2 refused"]));
  expect(every).not.toContain("Q1 ten days ago");
  const days = await history.days({ guildId: one, since: new Date(now - 20 * DAY_MS) });
  expect(days.map((d) => d.answered)).toEqual([1, 1, 1]);
  expect(days.map((d) => d.day)).toEqual([...days.map((d) => d.day)].sort());
  expect(await history.days({ guildId: two, since })).toEqual([
    expect.objectContaining({ answered: 0, refused: 1 }),
  ]);
});

test("two processes on one record see each other's answers and votes at once", async () => {
  const first = open();
  const second = open();
  const answer = entry();
  await first.record(answer);
  expect(await second.find(answer.id)).toMatchObject({ guildId: answer.guildId });
  const member = snowflake();
  expect(await second.vote(answer.id, member, "up", new Date())).toBe("recorded");
  expect(await first.vote(answer.id, member, "up", new Date())).toBe("unchanged");
  const period = { guildId: answer.guildId, since: new Date(0) };
  expect(await first.questions(period)).toEqual([expect.objectContaining({ up: 1, down: 0 })]);
  expect(await first.days(period)).toEqual([expect.objectContaining({ answered: 1, up: 1 })]);
});

test("with HISTORY_DAYS=0 no text and no member is kept, votes are only counted, and ids stay a week for the buttons", async () => {
  const history = open(0);
  const guild = snowflake();
  const now = new Date();
  const recent = entry({ guildId: guild, at: new Date(now.getTime() - 6 * DAY_MS) });
  const old = entry({ guildId: guild, at: new Date(now.getTime() - 8 * DAY_MS) });
  await history.record(recent);
  await history.record(old);
  expect(await history.find(recent.id)).toEqual({ id: recent.id, guildId: guild });
  expect(await history.questions({ guildId: guild, since: new Date(0) })).toEqual([]);
  const member = snowflake();
  expect(await history.vote(recent.id, member, "up", now)).toBe("recorded");
  expect(await history.vote(recent.id, member, "up", now)).toBe("recorded");
  expect(await history.purge(now)).toBe(1);
  expect(await history.find(old.id)).toBeUndefined();
  expect(await history.find(recent.id)).toEqual({ id: recent.id, guildId: guild });
  const days = await history.days({ guildId: guild, since: new Date(0) });
  expect(days.reduce((sum, d) => sum + d.answered, 0)).toBe(2);
  expect(days.reduce((sum, d) => sum + d.up, 0)).toBe(2);
});

test("the counts per day are kept a year, then deleted", async () => {
  const history = open(30);
  const guild = snowflake();
  const now = new Date();
  await history.record(entry({ guildId: guild, at: new Date(now.getTime() - 300 * DAY_MS) }));
  await history.record(entry({ guildId: guild, at: new Date(now.getTime() - 400 * DAY_MS) }));
  expect(await history.purge(now)).toBe(2);
  const days = await history.days({ guildId: guild, since: new Date(0) });
  expect(days).toEqual([expect.objectContaining({ answered: 1 })]);
  expect(days[0].day).toBe(new Date(now.getTime() - 300 * DAY_MS).toISOString().slice(0, 10));
});
