import { type Client, InteractionWebhook, MessageFlags, MessagePayload } from "discord.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerQuestion, QUESTION_MAX, QUESTION_MIN, QuestionError } from "../src/answer/answer.js";
import { type Answer, REFUSAL } from "../src/answer/types.js";
import { type Assistant, openAssistant } from "../src/assistant.js";
import { loadDiscordConfig } from "../src/config.js";
import { createClient } from "../src/discord/client.js";
import { answerReply, partialAnswerReply, plainText } from "../src/discord/replies.js";
import type { Bot } from "../src/discord/start.js";
import { tempDataDir } from "./support/dataDir.js";
import { LoopbackDiscord, messageProblems, snowflake } from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";

// Random and hostile questions thrown at the whole answer path: answerQuestion over the shipped
// article, then the /ask reply as discord.js sends it. The seed is fixed so that every run (CI
// included) throws the same questions; FUZZ_SEED=<number> replays another run, FUZZ_SEED=random
// explores (the seed is printed), FUZZ_RUNS changes how many questions.
/** The seed of every run unless FUZZ_SEED says otherwise. */
const FIXED_SEED = 20_210_323;
/** Questions through answerQuestion and the reply formatter (the issue asks for 5,000 at least). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
/** Of the same questions, how many also go through the real bot and the loopback Discord. */
const THROUGH_THE_BOT = 30;

function seedFrom(value: string | undefined): number {
  if (value === undefined || value === "") return FIXED_SEED;
  if (value === "random") return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(value);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FUZZ_SEED must be a whole number or "random", not "${value}"`);
  return seed;
}
const SEED = seedFrom(process.env.FUZZ_SEED);

const EMOJI = ["😀", "🦄", "🔥", "❤️", "👍🏽", "🇨🇳", "🏳️‍🌈", "👨‍👩‍👧‍👦", "🫠", "1️⃣"];
const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u3164"];
const BIDI = [
  "\u200e",
  "\u200f",
  "\u061c",
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
];
const COMBINING = [
  "\u0301",
  "\u0308",
  "\u0336",
  "\u034f",
  "\u0489",
  "\u20dd",
  "e\u0301",
  "Z\u0335\u0322\u034e\u0317",
];
const MARKDOWN = [
  "**",
  "*",
  "__",
  "_",
  "~~",
  "`",
  "```",
  "```js\n",
  "\n```",
  "||",
  "> ",
  ">>> ",
  "# ",
  "-# ",
  "- ",
  "1. ",
  "\\",
  "[",
  "](",
  ")",
  "<",
  ">",
  "&amp;",
  "<b>",
  "</b>",
];
const MENTIONS = [
  "@everyone",
  "@here",
  "<@123456789012345678>",
  "<@!123456789012345678>",
  "<@&456789012345678901>",
  "<#789012345678901234>",
  "</ask:123456789012345678>",
  "<t:1700000000:R>",
  "<:blob:123456789012345678>",
  "<a:dance:123456789012345678>",
  "@\u200beveryone",
  "＠everyone",
  "@everyone@here",
];
const LINKS = [
  "[click me](https://example.com)",
  "[docs](<https://example.com/a b>)",
  "[https://discord.gg/nitro](https://evil.example)",
  "https://example.com/?q=**x**&y=<@1>",
  "<https://example.com>",
  "![img](https://example.com/a.png)",
];
const SCRIPTS = [
  "谁提出了这项决议？",
  "中国",
  "決議案を提出したのは誰ですか",
  "누가 결의안을 후원했습니까?",
  "من رعى القرار؟",
  "ما الذي يطالب به القرار",
  "Кто спонсировал резолюцию?",
  "Чэнь Сюй",
  "מי הציע את ההחלטה?",
  "किसने प्रायोजित किया",
  "Ψήφισμα",
];
const CONTROL = [
  "\u0000",
  "\u0001",
  "\u0007",
  "\b",
  "\u001b[31m",
  "\u007f",
  "\u0085",
  "\r",
  "\r\n",
  "\t",
  "\v",
  "\f",
  "\u2028",
  "\u2029",
];
const WORDS = [
  "who",
  "what",
  "when",
  "which",
  "how many",
  "sponsored",
  "resolution",
  "China",
  "Chen Xu",
  "demand",
  "vaccines",
  "Human Rights Council",
  "Geneva",
  "Xinhua",
  "the",
  "does",
  "it",
  "?",
  ".",
];
const QUESTIONS = [
  "Who sponsored the resolution?",
  "What does the resolution demand?",
  "Which countries co-sponsored the resolution?",
  "How many members does the Human Rights Council have?",
  "What is the capital of France?",
];
const SEPARATORS = ["", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u3000"];

const shortPiece = fc.oneof(
  fc
    .constantFrom(...EMOJI)
    .chain((emoji) => fc.integer({ min: 1, max: 40 }).map((n) => emoji.repeat(n))),
  fc.constantFrom(...INVISIBLE, ...BIDI, ...COMBINING),
  fc.constantFrom(...MARKDOWN),
  fc.constantFrom(...MENTIONS),
  fc.constantFrom(...LINKS),
  fc.constantFrom(...SCRIPTS),
  fc.constantFrom(...CONTROL),
  fc.constantFrom(...WORDS),
  fc.string({ unit: "binary", maxLength: 16 }),
  fc.string({ unit: "grapheme", maxLength: 16 }),
);
const piece = fc.oneof(
  { weight: 20, arbitrary: shortPiece },
  // A 500-character word, of one letter or of many scripts.
  { weight: 1, arbitrary: fc.integer({ min: 480, max: 520 }).map((n) => "w".repeat(n)) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom("a", "é", "中", "Ж", "😀", "\u0301"),
      minLength: 500,
      maxLength: 500,
    }),
  },
);

const mix = (pieces: fc.Arbitrary<string>, maxLength: number) =>
  fc
    .array(fc.tuple(pieces, fc.constantFrom(...SEPARATORS)), { minLength: 1, maxLength })
    .map((pairs) => pairs.map(([text, separator]) => text + separator).join(""));
const hostileMix = mix(piece, 12);

/** The questions: hostile mixtures, real questions wrapped in them, raw Unicode, blank, huge. */
const question = fc.oneof(
  { weight: 5, arbitrary: hostileMix },
  {
    weight: 4,
    arbitrary: fc
      .tuple(mix(shortPiece, 3), fc.constantFrom(...QUESTIONS), mix(shortPiece, 3))
      .map(([before, text, after]) => `${before} ${text} ${after}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...MENTIONS), fc.constantFrom(...QUESTIONS))
      .map(([mention, text]) => `${mention} ${text}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 700 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom(" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\u3000", "\u2028"), {
        maxLength: 40,
      })
      .map((blanks) => blanks.join("")),
  },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 480, maxLength: 4000 }) },
);

const MENTION = /@everyone|@here|<@[!&]?\d+>|<#\d+>/;
/** Half of a surrogate pair: text Discord cannot store. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const wellFormed = (text: string) => !LONE_SURROGATE.test(text);
/** How many questions took each path, so that the run shows it tried them all. */
const seen = { answered: 0, refused: 0, rejected: 0, mentions: 0 };

let assistant: Assistant;
let removeData: () => Promise<void>;
let client: Client;
let webhook: InteractionWebhook;

beforeAll(async () => {
  const data = await tempDataDir();
  removeData = data.remove;
  ({ assistant } = await openAssistant(data.config));
  // The bot's own client (never logged in): discord.js turns a reply into the request body
  // with this client's options, as interaction.reply and editReply do.
  const discordConfig = loadDiscordConfig({
    DISCORD_TOKEN: "fuzz",
    DISCORD_CLIENT_ID: "123456789012345678",
  });
  client = createClient(discordConfig);
  webhook = new InteractionWebhook(
    client as Client<true>,
    discordConfig.DISCORD_CLIENT_ID,
    "interaction-token",
  );
});
afterAll(async () => {
  await client?.destroy();
  await removeData?.();
});

/** The request body discord.js sends for a reply, as Discord receives it (JSON). */
function requestBody(reply: Parameters<typeof MessagePayload.create>[1]) {
  const payload = MessagePayload.create(webhook, reply).resolveBody();
  return JSON.parse(JSON.stringify(payload.body));
}

/** What Discord enforces, and what keeps a message from pinging anyone. */
function expectSendable(body: ReturnType<typeof requestBody>, wellFormed: boolean): void {
  expect(messageProblems(body, true)).toBeUndefined();
  // No mention in the text can ping: the body allows none, whatever the text says...
  expect(body.allowed_mentions).toEqual({ parse: [] });
  for (const embed of body.embeds ?? []) {
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(25);
    if (wellFormed) {
      const texts = [embed.title, embed.description, embed.footer?.text];
      for (const f of embed.fields ?? []) texts.push(f.name, f.value);
      for (const text of texts) if (text) expect(text).not.toMatch(LONE_SURROGATE);
    }
  }
}

/** The text shown, without the ellipsis of a cut: what came before it must be the text's start. */
function expectStartOf(shown: string, full: string): void {
  if (shown === full) return;
  expect(shown).toMatch(/…$/);
  expect(full.startsWith(shown.replace(/ ?…$/, ""))).toBe(true);
}

async function throwAt(raw: string): Promise<void> {
  const normalized = raw.replace(/\s+/g, " ").trim();
  if (MENTION.test(raw)) seen.mentions++;
  let answer: Answer;
  try {
    answer = await answerQuestion(assistant, raw);
  } catch (error) {
    // The only error a question may cause: a length outside 3..500, said plainly.
    expect(error).toBeInstanceOf(QuestionError);
    seen.rejected++;
    expect(normalized.length < QUESTION_MIN || normalized.length > QUESTION_MAX).toBe(true);
    expect((error as Error).message).toMatch(/too (short|long)/);
    // commands/ask.ts shows that message to the asker alone.
    const body = requestBody({ content: (error as Error).message, flags: MessageFlags.Ephemeral });
    expectSendable(body, true);
    expect(body.content).not.toMatch(MENTION);
    return;
  }
  expect(normalized.length).toBeGreaterThanOrEqual(QUESTION_MIN);
  expect(normalized.length).toBeLessThanOrEqual(QUESTION_MAX);
  expect(answer.question).toBe(normalized);
  seen[answer.answered ? "answered" : "refused"]++;
  if (answer.answered) {
    expect(answer.answer.trim()).not.toBe("");
    expect(answer.sources.length).toBeGreaterThan(0);
  } else {
    expect(answer.answer).toBe(REFUSAL);
    expect(answer.sources).toEqual([]);
  }
  // The extractive answer only quotes the article, which holds no mention: none of the question's.
  expect(answer.answer).not.toMatch(MENTION);

  const body = requestBody(answerReply(answer));
  expectSendable(body, wellFormed(raw));
  // Everything shows in one embed, where mentions never notify; there is no content to ping from.
  expect(body.content).toBeUndefined();
  expect(body.embeds).toHaveLength(1);
  const [embed] = body.embeds;
  // The title is the question, cut to fit; the description the answer, its quotes escaped.
  expectStartOf(embed.title, answer.question);
  // Only the direct answer's bold survives the escaping.
  const text =
    answer.mode === "extractive"
      ? plainText(answer.answer).replace(/^\\\*\\\*(.+?)\\\*\\\*/, "**$1**")
      : plainText(answer.answer);
  if (answer.answered) expectStartOf(embed.description, text);
  else expect(embed.description.startsWith(REFUSAL)).toBe(true);
}

describe("hostile questions through answerQuestion and the /ask reply", () => {
  it(`never fails, and every reply fits Discord and pings nobody (${RUNS} questions, seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(question, throwAt), { numRuns: RUNS, seed: SEED });

    // Every path was taken, more than a few times: answered, refused, rejected, with mentions.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(RUNS / 100);
  }, 180_000);

  it("keeps a language model's growing answer within Discord's limits, whatever it writes", () => {
    // What ask.ts passes: a valid question, and text the model has sent (never empty).
    const valid = question
      .map((raw) => raw.replace(/\s+/g, " ").trim())
      .filter((q) => q.length >= QUESTION_MIN && q.length <= QUESTION_MAX);
    const growing = fc
      .array(hostileMix, { minLength: 1, maxLength: 40 })
      .map((parts) => parts.join(" "))
      .filter((text) => text.length > 0);
    fc.assert(
      fc.property(valid, growing, (q, text) => {
        expectSendable(requestBody(partialAnswerReply(q, text)), wellFormed(q) && wellFormed(text));
      }),
      { numRuns: 1000, seed: SEED },
    );
  });
});

describe("hostile questions through the real bot and the loopback Discord", () => {
  let discord: LoopbackDiscord;
  let bot: Bot;
  let data: Awaited<ReturnType<typeof tempDataDir>>;

  beforeAll(async () => {
    discord = await LoopbackDiscord.start();
    data = await tempDataDir();
    bot = await startTestBot(discord, { DATA_DIR: data.dir, ASK_COOLDOWN_COUNT: "1000" });
  });
  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await data?.remove();
  });

  it(`answers ${THROUGH_THE_BOT} of them with messages Discord accepts, allowing no mention`, async () => {
    // Only what Discord itself would send: a required option of 3 to 500 characters.
    const sendable = fc
      .sample(question, { numRuns: THROUGH_THE_BOT * 4, seed: SEED })
      .filter(
        (raw) =>
          raw.trim().length > 0 &&
          [...raw].length >= QUESTION_MIN &&
          [...raw].length <= QUESTION_MAX,
      )
      .slice(0, THROUGH_THE_BOT);
    expect(sendable).toHaveLength(THROUGH_THE_BOT);
    for (const raw of sendable) {
      const interaction = discord.command("ask", { question: raw }, { userId: snowflake() });
      const message = await interaction.message();
      expect(messageProblems(message.body), JSON.stringify(raw)).toBeUndefined();
      expect(interaction.requests.every((request) => request.status < 300)).toBe(true);
    }
    const bodies = discord.messageBodies();
    expect(bodies.length).toBeGreaterThanOrEqual(THROUGH_THE_BOT);
    for (const body of bodies) expect(body).toMatchObject({ allowed_mentions: { parse: [] } });
  }, 120_000);
});
