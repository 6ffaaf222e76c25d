import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Bot } from "../src/discord/start.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, type SentMessage, snowflake } from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { openTestHistory } from "./support/history.js";

// A second document that was also "adopted": without the earlier question, "When was it
// adopted?" finds the resolution's Tuesday; after a question about the bylaw, the bylaw's date.
const BYLAW = `Harbour bylaw on mooring fees

The harbour bylaw on mooring fees was adopted on 4 May 2019 by the town council. It sets the fee for a mooring at 12 euros a night and was sponsored by councillor Anna Berg.
`;

let discord: LoopbackDiscord;
let bot: Bot;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let env: Record<string, string>;

beforeAll(async () => {
  discord = await LoopbackDiscord.start();
  data = await tempDataDir();
  await writeFile(path.join(data.docs, "harbour-bylaw.txt"), BYLAW);
  env = { DATA_DIR: data.dir, ASK_COOLDOWN_COUNT: "100" };
  bot = await startTestBot(discord, env);
});

afterAll(async () => {
  await bot?.stop();
  await discord?.close();
  await data?.remove();
});

/** The custom ids of a message's buttons, and how they look. */
function buttons(message: SentMessage) {
  // biome-ignore lint/suspicious/noExplicitAny: components as the bot sent them
  return (message.body.components ?? []).flatMap((row: any) => row.components) as {
    custom_id: string;
    emoji?: { name: string };
    label?: string;
  }[];
}

function button(message: SentMessage, which: "👍" | "👎" | "Follow up"): string {
  const found = buttons(message).find((b) => b.emoji?.name === which || b.label === which);
  if (!found) throw new Error(`no ${which} button`);
  return found.custom_id;
}

async function ask(question: string, invoker = {}): Promise<SentMessage & { id: string }> {
  const interaction = discord.command("ask", { question }, invoker);
  const reply = await interaction.waitFor((i) => i.messages.find((m) => buttons(m).length));
  return reply as SentMessage & { id: string };
}

/** The votes of every recorded answer, read from the file as another process would. */
async function recorded() {
  const history = openTestHistory(data.dir);
  try {
    return await history.questions({ since: new Date(0) });
  } finally {
    await history.close();
  }
}

/** Waits until the record shows what is expected (it is written after the reply). */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return read();
}

describe("buttons on an answer", () => {
  test("every /ask answer has 👍, 👎 and Follow up, and shows no counts", async () => {
    const reply = await ask("Who sponsored the resolution?");
    expect(buttons(reply).map((b) => b.emoji?.name ?? b.label)).toEqual(["👍", "👎", "Follow up"]);
    expect(JSON.stringify(reply.body)).not.toMatch(/\b\d+ votes?\b/);
    // A refusal has them too: it is what members most want to flag.
    const refusal = await ask("What is the capital of France?");
    expect(buttons(refusal)).toHaveLength(3);
  });

  test("a vote is acknowledged privately at once, recorded once per member, and a second click changes it", async () => {
    const reply = await ask("Which countries co-sponsored the resolution?");
    const member = snowflake();
    const up = discord.click(reply.id, button(reply, "👍"), { userId: member });
    const ack = await up.message();
    expect(ack).toMatchObject({ kind: "reply", ephemeral: true });
    expect(ack.content).toContain("👍");
    expect(up.acknowledgement?.ms).toBeLessThan(3000);

    const again = await discord.click(reply.id, button(reply, "👍"), { userId: member }).message();
    expect(again.content).toContain("already");
    const down = await discord.click(reply.id, button(reply, "👎"), { userId: member }).message();
    expect(down).toMatchObject({ ephemeral: true });
    expect(down.content).toContain("now 👎");
    await discord.click(reply.id, button(reply, "👍"), { userId: snowflake() }).message();

    const entry = (await recorded()).find(
      (q) => q.question === "Which countries co-sponsored the resolution?",
    );
    expect(entry).toMatchObject({ up: 1, down: 1, answered: true });
  });

  test("a click on an answer the bot does not know, or another server's, gets a short private reply", async () => {
    const reply = await ask("Who sponsored the resolution?");
    const unknown = await discord.click(reply.id, "answer:up:nosuchanswer").message();
    expect(unknown).toMatchObject({ kind: "reply", ephemeral: true });
    expect(unknown.content).toContain("no longer know this answer");

    const history = openTestHistory(data.dir);
    await history.record({
      id: "elsewhere1",
      at: new Date(),
      guildId: snowflake(),
      userId: snowflake(),
      question: "Who sponsored the resolution?",
      answer: "China",
      answered: true,
      mode: "extractive",
      ms: 1,
      sources: [],
    });
    await history.close();
    const other = await discord.click(reply.id, "answer:down:elsewhere1").message();
    expect(other).toMatchObject({ kind: "reply", ephemeral: true });
    expect(other.content).toContain("another server");
  });
});

describe("Follow up", () => {
  test("opens a modal, answers in a thread started from the answer, with the earlier question's topic", async () => {
    const reply = await ask("Who sponsored the harbour bylaw?");
    const click = discord.click(reply.id, button(reply, "Follow up"));
    const modal = await click.modalOpened();
    expect(click.acknowledgement?.ms).toBeLessThan(3000);
    expect(modal.title).toBe("Follow up");

    const submitted = discord.submitModal(click, { question: "When was it adopted?" });
    expect((await submitted.acknowledged()).ms).toBeLessThan(3000);
    const answer = await discord.threadMessage(reply.id);
    const thread = discord.threads.get(reply.id);
    expect(thread?.parentId).toBe(discord.channelId);
    expect(thread?.name).toBe("Who sponsored the harbour bylaw?");
    expect(answer.embeds[0].title).toBe("When was it adopted?");
    expect(answer.embeds[0].description).toContain("4 May 2019");
    expect(buttons(answer)).toHaveLength(3);
    const notice = await submitted.message();
    expect(notice.ephemeral).toBe(true);
    expect(notice.content).toContain(reply.id);

    // Asked without the earlier question, the same words find the resolution instead.
    const alone = await ask("When was it adopted?");
    expect(alone.embeds[0].description).not.toContain("4 May 2019");

    // A second follow-up from the answer reuses its thread; one from the thread's answer too.
    const second = discord.click(reply.id, button(reply, "Follow up"));
    await second.modalOpened();
    discord.submitModal(second, { question: "Who sponsored it?" });
    await discord.threadMessage(reply.id, 1);
    const inThread = discord.click(answer.id as string, button(answer, "Follow up"));
    await inThread.modalOpened();
    discord.submitModal(inThread, { question: "What is the fee for a mooring?" });
    const third = await discord.threadMessage(reply.id, 2);
    expect(third.embeds[0].description).toContain("12 euros");
    expect([...discord.threads.keys()].filter((id) => id === reply.id)).toHaveLength(1);
    expect(discord.threads.size).toBe(1);
  });

  test("where no thread can be started, the follow-up is answered in a private reply to the modal", async () => {
    discord.guilds[0].threads = false;
    try {
      const reply = await ask("Who sponsored the harbour bylaw?");
      const click = discord.click(reply.id, button(reply, "Follow up"));
      await click.modalOpened();
      const submitted = discord.submitModal(click, { question: "When was it adopted?" });
      const answer = await submitted.waitFor((i) => i.messages.find((m) => m.embeds.length));
      expect(answer.ephemeral).toBe(true);
      expect(answer.embeds[0].description).toContain("4 May 2019");
      expect(buttons(answer)).toHaveLength(3);
      expect(discord.threads.has(reply.id)).toBe(false);
    } finally {
      discord.guilds[0].threads = true;
    }

    const dm = await ask("Who sponsored the harbour bylaw?", { dm: true });
    const click = discord.click(dm.id, button(dm, "Follow up"), { dm: true });
    await click.modalOpened();
    const submitted = discord.submitModal(click, { question: "When was it adopted?" });
    const answer = await submitted.waitFor((i) => i.messages.find((m) => m.embeds.length));
    expect(answer.embeds[0].description).toContain("4 May 2019");
  });
});

test("buttons keep working after a restart on the same DATA_DIR", async () => {
  const reply = await ask("Who sponsored the resolution?");
  const member = snowflake();
  await discord.click(reply.id, button(reply, "👍"), { userId: member }).message();
  await eventually(recorded, (all) => all.some((q) => q.up > 0));
  await bot.stop();
  bot = await startTestBot(discord, env);

  const changed = await discord.click(reply.id, button(reply, "👎"), { userId: member }).message();
  expect(changed.content).toContain("now 👎");
  const click = discord.click(reply.id, button(reply, "Follow up"));
  await click.modalOpened();
  discord.submitModal(click, { question: "Which countries co-sponsored it?" });
  const answer = await discord.threadMessage(reply.id);
  expect(answer.embeds[0].description).toContain("Belarus");
});
