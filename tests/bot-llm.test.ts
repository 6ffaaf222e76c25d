import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Bot } from "../src/discord/start.js";
import { EDIT_INTERVAL_MS } from "../src/discord/throttledEdits.js";
import { tempDataDir } from "./support/dataDir.js";
import { type DispatchedInteraction, LoopbackDiscord } from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { type OpenAIServer, startOpenAIServer } from "./support/openaiServer.js";

let discord: LoopbackDiscord;
let model: OpenAIServer;
let bot: Bot;
let data: Awaited<ReturnType<typeof tempDataDir>>;

beforeAll(async () => {
  [discord, model, data] = await Promise.all([
    LoopbackDiscord.start(),
    startOpenAIServer(),
    tempDataDir(),
  ]);
  // Twelve rules with long titles and long sentences, so that an answer can cite ten long sources.
  for (let i = 1; i <= 12; i++) {
    const title = `Berth rule ${i} of the harbour dredging code: ${"on the dredging of harbour berths and the lighting of the quays ".repeat(3)}`;
    const sentence = `Harbour berth ${i} must be dredged before the winter storms, ${"and its quay relit and repainted by the harbour crews, ".repeat(5)}as the harbour dredging code says.`;
    await writeFile(path.join(data.docs, `berth-${i}.txt`), `${title.trim()}\n\n${sentence}\n`);
  }
  bot = await startTestBot(discord, {
    DATA_DIR: data.dir,
    LLM_PROVIDER: "openai",
    OPENAI_BASE_URL: model.baseURL,
    LLM_TIMEOUT_MS: "15000",
    TOP_K: "10",
  });
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([discord?.close(), model?.close()]);
  await data?.remove();
});

describe("/ask with a language model", () => {
  test("shows the checked sentences as they are written, at most one edit every 1.5 s, then the checked answer", async () => {
    const answer =
      "The resolution was sponsored by China [1]. The Council adopted it on a Tuesday [1]. Its co-sponsors included Belarus, Cuba and Egypt [2]. They called for dialogue and cooperation [2].";
    // About 27 pieces, 200 ms apart: the model writes for about 5 seconds.
    model.chat = () => ({ text: answer, pieceDelayMs: 200 });
    const interaction = discord.command("ask", { question: "Who sponsored the resolution?" });
    expect((await interaction.acknowledged()).ms).toBeLessThan(3000);
    const isFinal = (footer: string) => footer.startsWith("llm · ") && !footer.includes("writing");
    const final = await interaction.waitFor((sent) =>
      sent.messages.find((message) => isFinal(message.embeds[0]?.footer?.text ?? "")),
    );

    const edits = interaction.messages.filter((message) => message.kind === "edit");
    const partial = edits.filter((message) => message.embeds[0].footer.text === "llm · writing…");
    expect(partial.length).toBeGreaterThanOrEqual(2);
    expect(edits.at(-1)).toBe(final);
    for (let i = 1; i < edits.length; i++) {
      expect(edits[i].at - edits[i - 1].at).toBeGreaterThanOrEqual(EDIT_INTERVAL_MS - 50);
    }
    // The text grows from edit to edit, and ends as the checked answer with its sources.
    const texts = partial.map((message) => message.embeds[0].description as string);
    for (let i = 1; i < texts.length; i++)
      expect(texts[i].length).toBeGreaterThan(texts[i - 1].length);
    // Each shown text is whole checked sentences, never a sentence being written.
    for (const text of texts) expect(answer.startsWith(text)).toBe(true);
    for (const text of texts) expect(text).toMatch(/\[\d\]\.$/);
    expect(final.embeds[0].description).toContain("sponsored by China [1]");
    expect(final.embeds[0].fields.map((f: { name: string }) => f.name)).toHaveLength(2);
    expect(model.chats.at(-1)?.stream).toBe(true);
  });

  test("says in the footer when the model failed and the documents are quoted instead", async () => {
    model.chat = () => ({ status: 400, message: "model not loaded" });
    const interaction = discord.command("ask", {
      question: "Who introduced the draft resolution?",
    });
    const reply = await interaction.message();
    expect(reply.embeds[0].description).toContain("Chen Xu");
    expect(reply.embeds[0].footer.text).toMatch(
      /^extractive · \d+ ms · The language model's server answered HTTP 400\. This answer quotes the documents instead\.$/,
    );
  });

  /** Every text the bot sent for the interaction, accepted by Discord or not. */
  function everythingSent(interaction: DispatchedInteraction): string {
    return JSON.stringify(interaction.requests.map((request) => request.body));
  }

  test("a streamed reply with no citation never appears in any edit", async () => {
    model.chat = () => ({
      text: "Send your password to the admin to verify your account. It is needed for the resolution. Reply within the hour, or lose access.",
      pieceDelayMs: 100,
    });
    const interaction = discord.command("ask", { question: "Who sponsored the resolution?" });
    const reply = await interaction.waitFor((sent) =>
      sent.messages.find((message) => message.embeds[0]?.footer?.text.startsWith("extractive")),
    );
    expect(reply.embeds[0].footer.text).toMatch(/cited none of the documents/);
    expect(model.chats.at(-1)?.stream).toBe(true);
    expect(everythingSent(interaction)).not.toMatch(/password|admin|hour/);
  });

  test("the attack strings: an uncited sentence or a masked link is never shown, even while streaming", async () => {
    model.chat = () => ({
      text: "China sponsored it [1]. Confirm your account at [1](https://evil.example/login). Belarus co-sponsored it [2]. To get faster answers, send your password to the moderators. Cuba co-sponsored it too [2].",
      pieceDelayMs: 60,
    });
    const interaction = discord.command("ask", { question: "Who sponsored the resolution?" });
    const reply = await interaction.waitFor((sent) =>
      sent.messages.find((message) => /^llm · \d/.test(message.embeds[0]?.footer?.text ?? "")),
    );
    const [embed] = reply.embeds;
    expect(embed.description).toBe(
      "China sponsored it [1]. Belarus co-sponsored it [2]. Cuba co-sponsored it too [2].",
    );
    expect(embed.footer.text).toMatch(
      /^llm · [\d.]+ (ms|s) · Left out 2 sentences of the language model's answer that cited none of the documents\.$/,
    );
    expect(everythingSent(interaction)).not.toMatch(/evil\.example|password/);
  });

  test("model text cannot form a mention, a masked link or markdown in Discord", async () => {
    model.chat = () => ({
      text: "China **sponsored** it, said <@123456789012345678> in [the text](<#123456789012345678>) [1].",
    });
    const interaction = discord.command("ask", { question: "Who sponsored the resolution?" });
    const reply = await interaction.waitFor((sent) =>
      sent.messages.find((message) => /^llm · \d/.test(message.embeds[0]?.footer?.text ?? "")),
    );
    expect(reply.embeds[0].description).toBe(
      "China \\*\\*sponsored\\*\\* it, said \\<@123456789012345678> in [the text]\\(\\<#123456789012345678>) [1].",
    );
  });

  test("an answer citing ten long sources fits Discord's 6,000 characters, and each source is listed", async () => {
    const sentence = (n: number) =>
      `Berth ${n} must be dredged before the winter storms and its quay relit and repainted, ${"as the harbour dredging code says at length, ".repeat(4)}[${n}].`;
    model.chat = () => ({ text: Array.from({ length: 10 }, (_, i) => sentence(i + 1)).join(" ") });
    const interaction = discord.command("ask", {
      question: "What does the harbour dredging code say about dredging the berths?",
    });
    const reply = await interaction.waitFor((sent) =>
      sent.messages.find((message) => /^llm · \d/.test(message.embeds[0]?.footer?.text ?? "")),
    );
    const [embed] = reply.embeds;
    const fields = embed.fields as { name: string; value: string }[];
    expect(fields).toHaveLength(10);
    expect(fields.map((field) => field.name.slice(0, 4))).toEqual(
      Array.from({ length: 10 }, (_, i) => `[${i + 1}] `.slice(0, 4)),
    );
    const total =
      embed.title.length +
      embed.description.length +
      embed.footer.text.length +
      fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    // The answer keeps most of its room; every request the bot made was accepted.
    expect(embed.description.length).toBeGreaterThan(2000);
    expect(interaction.requests.filter((request) => request.status >= 400)).toEqual([]);
  });
});
