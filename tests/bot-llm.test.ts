import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Bot } from "../src/discord/start.js";
import { EDIT_INTERVAL_MS } from "../src/discord/throttledEdits.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord } from "./support/discord.js";
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
  bot = await startTestBot(discord, {
    DATA_DIR: data.dir,
    LLM_PROVIDER: "openai",
    OPENAI_BASE_URL: model.baseURL,
    LLM_TIMEOUT_MS: "15000",
  });
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([discord?.close(), model?.close()]);
  await data?.remove();
});

describe("/ask with a language model", () => {
  test("shows the answer as it grows, at most one edit every 1.5 s, then the checked answer", async () => {
    const answer =
      "The resolution was sponsored by China [1]. Its co-sponsors included Belarus, Cuba and Egypt [2].";
    // About 14 pieces, 300 ms apart: the model writes for about 4 seconds.
    model.chat = () => ({ text: answer, pieceDelayMs: 300 });
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
});
