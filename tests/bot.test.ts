import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { REFUSAL } from "../src/answer/types.js";
import { LIMITS } from "../src/discord/replies.js";
import type { Bot } from "../src/discord/start.js";
import { logger } from "../src/logger.js";
import { tempDataDir } from "./support/dataDir.js";
import {
  type Invoker,
  LoopbackDiscord,
  messageProblems,
  PERMISSIONS,
  snowflake,
} from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { TEST_STORE } from "./support/postgres.js";

// One sentence far longer than any Discord limit, about something the article does not mention.
const LONG_SENTENCE = `The Harbour Commission report on the Lindqvist ferry terminal ${Array.from(
  { length: 80 },
  (_, i) =>
    `recommends that berth number ${i + 1} be dredged, relit and repainted before the winter storms`,
).join(", and it ")}.`;

let discord: LoopbackDiscord;
let bot: Bot;
let data: Awaited<ReturnType<typeof tempDataDir>>;

beforeAll(async () => {
  discord = await LoopbackDiscord.start();
  data = await tempDataDir();
  await writeFile(
    path.join(data.dir, "docs", "harbour-report.txt"),
    `Harbour Commission report\n\n${LONG_SENTENCE}\n`,
  );
  bot = await startTestBot(discord, {
    DATA_DIR: data.dir,
    // Large chunks, so that the long sentence is quoted whole and the reply has to be cut.
    CHUNK_SIZE: "8000",
    ASK_COOLDOWN_COUNT: "3",
    ASK_COOLDOWN_SECONDS: "60",
    MOD_ROLE_IDS: discord.moderatorRoleId,
  });
});

afterAll(async () => {
  await bot?.stop();
  await discord?.close();
  await data?.remove();
});

describe("/ask", () => {
  test("is answered in the interaction response itself, with the quote, its citation and its source", async () => {
    const interaction = discord.command("ask", { question: "Who sponsored the resolution?" });
    const ack = await interaction.acknowledged();
    // One request: the answer is the response (type 4), not a deferral (type 5) and an edit.
    expect(ack).toMatchObject({ type: 4, ephemeral: false });
    expect(ack.ms).toBeLessThan(3000);

    const reply = await interaction.message();
    expect(reply.kind).toBe("reply");
    expect(interaction.messages).toHaveLength(1);
    expect(interaction.requests).toHaveLength(1);
    const [embed] = reply.embeds;
    expect(embed.title).toBe("Who sponsored the resolution?");
    expect(embed.description).toContain("China-sponsored resolution");
    expect(embed.description).toContain("[1]");
    expect(embed.fields[0].name).toBe(
      "[1] UN rights body adopts China-sponsored resolution on human rights cooperation (2021-03-24)",
    );
    // The quote is in the answer above: the source names where it is without repeating it.
    expect(embed.fields[0].value).toMatch(/^un-hrc-cooperation-resolution\.txt, chunk \d+$/);
    // The first question also opens the store's connections (STORE=postgres): it may take seconds.
    expect(embed.footer.text).toMatch(/^extractive · [\d.]+ m?s$/);
  });

  test("answers privately when asked to", async () => {
    const interaction = discord.command("ask", {
      question: "Which countries co-sponsored the resolution?",
      private: true,
    });
    expect(await interaction.acknowledged()).toMatchObject({ type: 4, ephemeral: true });
    const reply = await interaction.message();
    expect(reply).toMatchObject({ kind: "reply", ephemeral: true });
    expect(reply.embeds[0].description).toContain("Belarus, Cuba, Egypt");
  });

  test("an off-topic question gets the refusal, not an error", async () => {
    const reply = await discord
      .command("ask", { question: "What is the capital of France?" })
      .message();
    expect(reply.kind).toBe("reply");
    expect(reply.embeds[0].description).toContain(REFUSAL);
    expect(reply.embeds[0].fields ?? []).toEqual([]);
    expect(JSON.stringify(reply.body)).not.toMatch(/sorry|error/i);
  });

  test("a question shorter than 3 characters is refused privately, with what to do", async () => {
    const interaction = discord.command("ask", { question: "  ?  " });
    const reply = await interaction.message();
    expect(reply).toMatchObject({ kind: "reply", ephemeral: true });
    expect(reply.content).toContain("at least 3 characters");
  });

  test("an answer longer than Discord's limits is cut at a word, with an ellipsis, and accepted", async () => {
    const interaction = discord.command("ask", {
      question:
        "What does the Harbour Commission report recommend for the Lindqvist ferry terminal?",
    });
    const reply = await interaction.message();
    const [embed] = reply.embeds;
    expect(LONG_SENTENCE.length).toBeGreaterThan(LIMITS.embedTotal);
    expect(embed.description.length).toBeLessThanOrEqual(LIMITS.description);
    expect(embed.description).toMatch(
      /^“The Harbour Commission report on the Lindqvist ferry terminal recommends/,
    );
    // Cut after a whole word: what precedes the ellipsis is a word of the sentence.
    expect(embed.description).toMatch(/[a-z0-9]…$/);
    const lastWord = embed.description.slice(0, -1).split(" ").at(-1);
    expect(LONG_SENTENCE.split(/[ ,.]+/)).toContain(lastWord);
    expect(embed.fields[0].value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    // The loopback rejects, as Discord does, a message over any limit; this one was accepted.
    expect(messageProblems(reply.body)).toBeUndefined();
    expect(interaction.requests.every((request) => request.status < 300)).toBe(true);
  });

  test("mentions in a question ping nobody: no message the bot sent allows any mention", async () => {
    const question = `@everyone @here <@&${discord.moderatorRoleId}> <@${snowflake()}> who sponsored the resolution?`;
    const answer = await discord.command("ask", { question }).message();
    expect(answer.embeds[0].title).toContain("@everyone");
    await discord.command("ask", { question: "@here" }).message();
    await discord.command("help").message();
    await discord.command("reload", {}, {}).message();

    const bodies = discord.messageBodies();
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    for (const body of bodies) expect(body).toMatchObject({ allowed_mentions: { parse: [] } });
  });

  test("a member asking too fast is told privately when to try again; others are not held up", async () => {
    const userId = snowflake();
    for (let i = 0; i < 3; i++) {
      const reply = await discord
        .command("ask", { question: "Who introduced the draft resolution?" }, { userId })
        .message();
      expect(reply.kind).toBe("reply");
    }
    const refused = await discord
      .command("ask", { question: "Who introduced the draft resolution?" }, { userId })
      .message();
    expect(refused).toMatchObject({ kind: "reply", ephemeral: true });
    expect(refused.content).toMatch(/3 questions every 60 seconds\. Try again <t:(\d+):R>\./);
    const retryAt = Number(/<t:(\d+):R>/.exec(refused.content)?.[1]) * 1000;
    expect(retryAt - Date.now()).toBeGreaterThan(50_000);
    expect(retryAt - Date.now()).toBeLessThanOrEqual(61_000);

    const other = await discord
      .command("ask", { question: "Who introduced the draft resolution?" })
      .message();
    expect(other.embeds[0].description).toContain("Chen Xu");
  });

  test("an error inside the command gets a private apology with an error id; the next question is answered", async () => {
    const logged = vi.spyOn(logger, "error");
    const retrieve = vi
      .spyOn(bot.assistant.knowledgeBase, "retrieve")
      .mockRejectedValueOnce(new Error("disk on fire"));
    try {
      const interaction = discord.command("ask", { question: "Who sponsored the resolution?" });
      const apology = await interaction.message();
      // The answer would have been the response: the apology takes its place, privately.
      expect(apology).toMatchObject({ kind: "reply", ephemeral: true });
      expect(interaction.messages).toHaveLength(1);
      const errorId = /`([0-9a-f]{8})`/.exec(apology.content)?.[1];
      expect(apology.content).toMatch(/^Sorry, something went wrong/);
      expect(errorId).toBeDefined();
      expect(logged).toHaveBeenCalledWith(
        expect.objectContaining({
          errorId,
          err: expect.objectContaining({ message: "disk on fire" }),
        }),
        "command failed",
      );
    } finally {
      retrieve.mockRestore();
      logged.mockRestore();
    }
    const next = await discord
      .command("ask", { question: "Who sponsored the resolution?" })
      .message();
    expect(next.embeds[0].description).toContain("China-sponsored resolution");
  });
});

test("/ask works in a direct message with the bot", async () => {
  const reply = await discord
    .command("ask", { question: "Who sponsored the resolution?" }, { dm: true })
    .message();
  expect(reply.embeds[0].description).toContain("China-sponsored resolution");
});

test("a command the bot no longer has gets a private pointer to /help, not silence", async () => {
  const reply = await discord.command("summarize").message();
  expect(reply).toMatchObject({ kind: "reply", ephemeral: true });
  expect(reply.content).toContain("I no longer have a /summarize command");
});

describe("/docs and /help", () => {
  test("/docs lists each document with its title, date and chunks, and when the index was built", async () => {
    const reply = await discord.command("docs").message();
    const { manifest } = bot.assistant.knowledgeBase;
    const [embed] = reply.embeds;
    expect(reply.ephemeral).toBe(true);
    expect(embed.title).toBe("Documents (2)");
    const article = manifest.documents.find(
      (doc) => doc.source === "un-hrc-cooperation-resolution.txt",
    );
    expect(embed.description).toContain(
      `UN rights body adopts China-sponsored resolution on human rights cooperation (2021-03-24)**: ${article?.chunks} chunk`,
    );
    expect(embed.description).toContain("Harbour Commission report");
    const built = Math.floor(new Date(manifest.builtAt).getTime() / 1000);
    expect(embed.fields[0].value).toContain(`Built <t:${built}:f>`);
  });

  test("/help lists the commands and three example questions, each of which is answered", async () => {
    const reply = await discord.command("help").message();
    expect(reply).toMatchObject({ kind: "reply", ephemeral: true });
    const [embed] = reply.embeds;
    const commands = embed.fields.find(
      (field: { name: string }) => field.name === "Commands",
    ).value;
    for (const usage of [
      "/ask question:<text> [private:<true|false>]",
      "/docs",
      "/help",
      "/reload",
    ]) {
      expect(commands).toContain(`\`${usage}`);
    }
    expect(commands).toMatch(/`\/reload`: .*\(moderators\)/);
    const examples = embed.fields
      .find((field: { name: string }) => field.name === "Examples")
      .value.split("\n")
      .map((line: string) => line.replace("/ask question: ", ""));
    expect(examples).toHaveLength(3);
    for (const question of examples) {
      const answer = await discord.command("ask", { question }).message();
      expect(answer.embeds[0].description).not.toContain(REFUSAL);
      expect(answer.embeds[0].fields.length).toBeGreaterThan(0);
    }
  });
});

describe("/reload rights", () => {
  test("a member without Manage Server or a moderator role is refused privately, and nothing is rebuilt", async () => {
    const reload = vi.spyOn(bot.assistant.knowledgeBase, "reload");
    const builtAt = bot.assistant.knowledgeBase.manifest.builtAt;
    try {
      const reply = await discord.command("reload", {}, { roles: [snowflake()] }).message();
      expect(reply).toMatchObject({ kind: "reply", ephemeral: true });
      expect(reply.content).toMatch(/^Only moderators can reload/);
      const dm = await discord
        .command("reload", {}, { dm: true, permissions: PERMISSIONS.manageGuild })
        .message();
      expect(dm).toMatchObject({ kind: "reply", ephemeral: true });
      expect(dm.content).toContain("not in direct messages");
      expect(reload).not.toHaveBeenCalled();
      expect(bot.assistant.knowledgeBase.manifest.builtAt).toBe(builtAt);
    } finally {
      reload.mockRestore();
    }
  });

  async function reloadAs(invoker: Invoker): Promise<void> {
    const builtAt = bot.assistant.knowledgeBase.manifest.builtAt;
    const interaction = discord.command("reload", {}, invoker);
    expect(await interaction.acknowledged()).toMatchObject({ type: 5, ephemeral: true });
    const reply = await interaction.message();
    expect(reply.embeds[0].title).toBe("Documents reloaded");
    expect(reply.embeds[0].description).toContain("No document was added, changed or removed.");
    // The local store builds the index anew; PostgreSQL compares hashes and writes nothing.
    if (TEST_STORE === "local")
      expect(bot.assistant.knowledgeBase.manifest.builtAt).not.toBe(builtAt);
    else expect(bot.assistant.knowledgeBase.manifest.builtAt).toBe(builtAt);
  }

  test("a member with Manage Server may reload", () =>
    reloadAs({ permissions: PERMISSIONS.manageGuild }));

  test("a member with a role in MOD_ROLE_IDS may reload", () =>
    reloadAs({ roles: [snowflake(), discord.moderatorRoleId] }));
});
