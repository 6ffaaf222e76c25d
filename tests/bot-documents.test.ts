import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REFUSAL } from "../src/answer/types.js";
import type { AuditEntry } from "../src/audit.js";
import type { Bot } from "../src/discord/start.js";
import { tempDataDir } from "./support/dataDir.js";
import {
  type Invoker,
  type LoopbackAttachment,
  LoopbackDiscord,
  type OptionValue,
  PERMISSIONS,
  snowflake,
} from "./support/discord.js";
import { startTestBot } from "./support/discordBot.js";
import { body, servePages } from "./support/pages.js";
import { tinyPdf } from "./support/pdf.js";

// /document against the loopback Discord, with two servers: files and pages served by a loopback
// HTTP server. Each added fact must be answered in that server only.

const OWNER = snowflake();
const moderator: Invoker = { permissions: PERMISSIONS.manageGuild };
const FACTS = {
  txt: {
    question: "When does the Zorblat lantern festival take place?",
    answer: "every February in Tromsø",
  },
  md: { question: "When does the Quillon ferry leave?", answer: "7:15 every morning" },
  html: { question: "Who opened the Brindle Valley Railway?", answer: "Margaret Olsen" },
  pdf: {
    question: "How many tonnes of apples did the Velmor orchard harvest?",
    answer: "312 tonnes",
  },
};
const files: Record<string, Buffer> = {
  "/zorblat.txt": Buffer.from(
    "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every February in Tromsø, when thousands of paper lanterns are floated down the harbour.\n",
  ),
  "/quillon.md": Buffer.from(
    "# Quillon ferry\n\nThe Quillon ferry leaves from pier 9 at 7:15 every morning.\n\n## Fares\n\nA single ticket costs 4 euros.\n",
  ),
  "/velmor.pdf": tinyPdf(
    ["Harvest report", "The Velmor orchard harvested 312 tonnes of apples in 2025."],
    "Velmor harvest report",
  ),
  "/evil.txt": Buffer.from("Evil\n\nThe Ombrel archive keeps 40 maps of the old city.\n"),
  "/empty.txt": Buffer.alloc(0),
  "/binary.txt": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00]),
  "/latin1.txt": Buffer.from("Caf\xe9 cr\xe8me\n", "latin1"),
  "/oneline.txt": Buffer.from("word ".repeat(200_000)),
  "/nested.html": Buffer.from(
    `<html><body>${"<div>".repeat(20_000)}deep${"</div>".repeat(20_000)}</body></html>`,
  ),
  "/fake.pdf": Buffer.from("This is not a PDF at all, only text with a .pdf name.\n"),
  "/scanned.pdf": tinyPdf([]),
  "/lighthouse.txt": Buffer.from(
    "Marrowind lighthouse\n\nThe Marrowind lighthouse was built in 1902 and its lamp can be seen 40 kilometres out to sea.\n",
  ),
};
const ARTICLE = `<!doctype html><html><head><title>Brindle Valley Railway – Visit Ashcombe</title></head><body>
<nav><a href="/">Home</a> | <a href="/about">About</a> | <a href="/contact">Contact</a></nav>
<article><h1>Brindle Valley Railway</h1>
<p>The Brindle Valley Railway was opened in 1887 by the engineer Margaret Olsen. It runs for 23 kilometres between Ashcombe and Pellworth, through three tunnels and over the Tarrow viaduct.</p>
<p>Steam trains still run on Sundays in summer, and the old station at Ashcombe is now a museum of the line.</p>
</article><footer>Copyright 2024 Visit Ashcombe. Cookie settings.</footer></body></html>`;

let discord: LoopbackDiscord;
let bot: Bot;
let data: Awaited<ReturnType<typeof tempDataDir>>;
let pages: Awaited<ReturnType<typeof servePages>>;
let one: string;
let two: string;

function attachment(pathname: string, size?: number): LoopbackAttachment {
  return {
    filename: pathname.slice(1),
    size: size ?? files[pathname]?.length ?? 0,
    url: pages.url(`/files${pathname}`),
  };
}

async function add(options: Record<string, OptionValue>, invoker: Invoker = moderator) {
  const interaction = discord.command("document add", options, invoker);
  const ack = await interaction.acknowledged();
  expect(ack.ms).toBeLessThan(3000);
  return (await interaction.message(0, 60_000)).embeds[0];
}

async function ask(question: string, invoker: Invoker = {}): Promise<string> {
  const reply = await discord.command("ask", { question }, invoker).message(0, 30_000);
  return reply.embeds[0].description;
}

function guildDocs(guildId: string): string {
  return path.join(data.dir, "guilds", guildId, "docs");
}

async function listing(guildId: string): Promise<string[]> {
  return readdir(guildDocs(guildId)).catch(() => []);
}

async function audit(): Promise<AuditEntry[]> {
  const text = await readFile(path.join(data.dir, "audit.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

beforeAll(async () => {
  discord = await LoopbackDiscord.start({ guilds: 2 });
  [one, two] = discord.guilds.map((guild) => guild.id);
  pages = await servePages({
    ...Object.fromEntries(
      // Read at each request: a test may change a file's content.
      Object.keys(files).map((pathname) => [
        `/files${pathname}`,
        (_req: unknown, res: import("node:http").ServerResponse) =>
          body(files[pathname])(_req as never, res),
      ]),
    ),
    "/railway": body(ARTICLE, "text/html; charset=utf-8"),
    "/never": () => {
      // Never answers: the add gives up after its time-out.
    },
    "/loop": (_req, res) => res.writeHead(302, { location: "/loop" }).end(),
    "/huge": (_req, res) =>
      res
        .writeHead(200, {
          "content-type": "text/plain",
          "content-length": String(50 * 1024 * 1024),
        })
        .end(),
  });
  data = await tempDataDir();
  bot = await startTestBot(discord, {
    DATA_DIR: data.dir,
    ASK_COOLDOWN_COUNT: "1000",
    OWNER_IDS: OWNER,
    ALLOW_PRIVATE_URLS: "true",
  });
});

afterAll(async () => {
  await bot?.stop();
  await discord?.close();
  await pages?.close();
  await data?.remove();
});

describe("adding documents to a server's library", () => {
  test("a .txt, a .md, an .html page by URL and a .pdf each answer in that server, not in the other nor in a DM", async () => {
    const txt = await add({ file: attachment("/zorblat.txt") });
    expect(txt.title).toBe("Added: Zorblat lantern festival");
    expect(txt.description).toMatch(/^\*\*Zorblat lantern festival\*\*: 1 chunk added/);
    const tried = txt.fields.find((field: { name: string }) => field.name === "Try").value;
    expect(tried).toMatch(/^\/ask question: .+\?\n> .*February/);

    const md = await add({ file: attachment("/quillon.md") });
    expect(md.title).toBe("Added: Quillon ferry");
    const html = await add({ url: pages.url("/railway") });
    expect(html.title).toBe("Added: Brindle Valley Railway – Visit Ashcombe");
    const pdf = await add({ file: attachment("/velmor.pdf") });
    expect(pdf.title).toBe("Added: Velmor harvest report");

    expect((await listing(one)).sort()).toEqual([
      "brindle-valley-railway-visit-ashcombe.md",
      "quillon.md",
      "velmor.txt",
      "zorblat.txt",
    ]);
    // The page's article, not its menu or footer; where it came from, on its first line.
    const saved = await readFile(
      path.join(guildDocs(one), "brindle-valley-railway-visit-ashcombe.md"),
      "utf8",
    );
    expect(saved).toMatch(
      /^<!-- added from http:\/\/127\.0\.0\.1:\d+\/railway on \d{4}-\d{2}-\d{2}T/,
    );
    expect(saved).not.toContain("Cookie settings");
    expect(saved).not.toContain("Contact");

    for (const { question, answer } of Object.values(FACTS)) {
      expect(await ask(question, { guildId: one })).toContain(answer);
      expect(await ask(question, { guildId: two })).toContain(REFUSAL);
      expect(await ask(question, { dm: true })).toContain(REFUSAL);
    }
    const reply = await discord
      .command("ask", { question: FACTS.pdf.question }, { guildId: one })
      .message();
    expect(reply.embeds[0].fields[0].value).toMatch(/^velmor\.txt \(this server\), chunk 1/);
  });

  test("the same content twice is already there; a new version under the same name replaces it", async () => {
    const again = await add({ file: attachment("/zorblat.txt") });
    expect(again.title).toBe("Already there");
    expect(again.description).toContain("zorblat.txt");

    files["/zorblat.txt"] = Buffer.from(
      "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every March in Tromsø.\n",
    );
    const replaced = await add({ file: attachment("/zorblat.txt") });
    expect(replaced.description).toContain("It replaces the earlier version of zorblat.txt");
    expect(await ask(FACTS.txt.question, { guildId: one })).toContain("every March in Tromsø");
  });

  test("an attachment named ../../evil.txt is saved inside the server's folder", async () => {
    const reply = await add({
      file: { ...attachment("/evil.txt"), filename: "../../evil.txt" },
    });
    expect(reply.title).toBe("Added: Evil");
    expect(await listing(one)).toContain("evil.txt");
    expect(await readdir(data.dir)).not.toContain("evil.txt");
    expect(await readdir(path.dirname(data.dir))).not.toContain("evil.txt");
  });

  test("/docs lists both libraries, the server's marked, and shows moderators the last changes", async () => {
    const [embed] = (await discord.command("docs", {}, { ...moderator, guildId: one }).message())
      .embeds;
    expect(embed.description).toContain("• 🏠 **Zorblat lantern festival**");
    expect(embed.description).toMatch(/• \*\*UN rights body adopts/);
    const changes = embed.fields.find(
      (field: { name: string }) => field.name === "Last changes in this server",
    ).value;
    expect(changes.split("\n")).toHaveLength(5);
    expect(changes).toContain("added evil.txt");

    const [member] = (await discord.command("docs", {}, { guildId: one }).message()).embeds;
    expect(member.fields.map((field: { name: string }) => field.name)).not.toContain(
      "Last changes in this server",
    );
    const [other] = (await discord.command("docs", {}, { guildId: two }).message()).embeds;
    expect(other.description).not.toContain("Zorblat");
  });
});

describe("what is refused, and changes nothing", () => {
  test("a member who is not a moderator is refused privately, before anything is downloaded", async () => {
    const before = await listing(one);
    const requests = pages.requests.length;
    const interaction = discord.command(
      "document add",
      { url: pages.url("/railway") },
      {
        guildId: one,
      },
    );
    const reply = await interaction.message();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(/^Only moderators can add or remove documents/);
    const removal = await discord
      .command("document remove", { document: "zorblat.txt" }, { guildId: one })
      .message();
    expect(removal.content).toMatch(/^Only moderators/);
    expect(pages.requests.length).toBe(requests);
    expect(await listing(one)).toEqual(before);
  });

  test("a moderator who is not a bot owner cannot change the shared documents; nor can anyone in a DM", async () => {
    const reply = await discord
      .command("document add", { url: pages.url("/railway"), scope: "shared" }, moderator)
      .message();
    expect(reply.content).toMatch(/^Only the bot's owners \(OWNER_IDS\)/);
    const dm = await discord
      .command("document add", { url: pages.url("/railway") }, { ...moderator, dm: true })
      .message();
    expect(dm.content).toBe("/document works in a server, not in direct messages.");
  });

  test("every bad input gets a reason to act on, and the library stays as it was", async () => {
    const before = await listing(one);
    const builtAt = (await bot.assistant.knowledgeBase.library({ kind: "guild", guildId: one }))
      ?.manifest.builtAt;
    const cases: [Record<string, OptionValue>, RegExp][] = [
      [{ file: attachment("/empty.txt") }, /empty \(0 bytes\)/],
      [{ file: attachment("/zorblat.txt", 50 * 1024 * 1024) }, /too large \(52,428,800 bytes/],
      [{ file: attachment("/binary.txt") }, /binary, not text/],
      [{ file: attachment("/latin1.txt") }, /not valid UTF-8/],
      [{ file: attachment("/oneline.txt") }, /a line of 1,000,000 characters/],
      [{ file: attachment("/nested.html") }, /nest more than 500 deep/],
      [{ file: attachment("/fake.pdf") }, /not a PDF/],
      [{ file: attachment("/scanned.pdf") }, /no text to read \(a scanned PDF/],
      [
        { file: { ...attachment("/zorblat.txt"), filename: "setup.exe" } },
        /"\.exe" files are not taken/,
      ],
      [{ url: pages.url("/loop") }, /redirects more than 5 times/],
      [{ url: pages.url("/huge") }, /too large \(52,428,800 bytes/],
      [{ url: pages.url("/missing") }, /answered 404/],
      [{ url: "ftp://example.org/file.txt" }, /Only http and https links/],
      [{}, /Give exactly one of `file`/],
    ];
    for (const [options, reason] of cases) {
      const interaction = discord.command("document add", options, moderator);
      const reply = await interaction.message(0, 30_000);
      const text = reply.content || reply.embeds[0].fields[0].value;
      expect(text, JSON.stringify(options)).toMatch(reason);
      if (!reply.content) expect(reply.embeds[0].title).toBe("Not added");
    }
    expect(await listing(one)).toEqual(before);
    const after = await bot.assistant.knowledgeBase.library({ kind: "guild", guildId: one });
    expect(after?.manifest.builtAt).toBe(builtAt);
    // And the bot keeps answering.
    expect(await ask(FACTS.md.question, { guildId: one })).toContain(FACTS.md.answer);
  });

  test("a URL that never answers is given up after 15 s with a clear reply", async () => {
    const reply = await discord
      .command("document add", { url: pages.url("/never") }, moderator)
      .message(0, 40_000);
    expect(reply.embeds[0].fields[0].value).toMatch(/did not answer within 15 s/);
  }, 60_000);
});

describe("removing, sharing, concurrent changes and the audit log", () => {
  test("autocomplete suggests this server's documents; removing one makes its fact unanswerable", async () => {
    const suggested = await discord
      .autocomplete("document remove", { document: "zor" }, "document", moderator)
      .suggestions();
    expect(suggested).toEqual([{ name: "zorblat.txt", value: "zorblat.txt" }]);
    const elsewhere = await discord
      .autocomplete("document remove", { document: "" }, "document", { ...moderator, guildId: two })
      .suggestions();
    expect(elsewhere).toEqual([]);

    const [embed] = (
      await discord.command("document remove", { document: "zorblat.txt" }, moderator).message()
    ).embeds;
    expect(embed.title).toBe("Removed: Zorblat lantern festival");
    expect(await listing(one)).not.toContain("zorblat.txt");
    expect(await ask(FACTS.txt.question, { guildId: one })).toContain(REFUSAL);

    const unknown = await discord
      .command("document remove", { document: "nothing.txt" }, moderator)
      .message();
    expect(unknown.embeds[0].fields[0].value).toMatch(/There is no "nothing\.txt"/);
  });

  test("a shared document added by an owner is answered in every server and in DMs", async () => {
    const owner = { ...moderator, userId: OWNER, guildId: two };
    const reply = await add({ file: attachment("/lighthouse.txt"), scope: "shared" }, owner);
    expect(reply.title).toBe("Added: Marrowind lighthouse");
    const question = "When was the Marrowind lighthouse built?";
    for (const where of [{ guildId: one }, { guildId: two }, { dm: true }])
      expect(await ask(question, where)).toContain("1902");
    expect(await readdir(data.docs)).toContain("lighthouse.txt");
  });

  test("an add and a /reload at once both complete, and the index ends consistent with the folder", async () => {
    files["/zorblat.txt"] = Buffer.from(
      "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every April in Tromsø.\n",
    );
    const adding = discord.command("document add", { file: attachment("/zorblat.txt") }, moderator);
    const reloading = discord.command("reload", {}, moderator);
    const [added, reloaded] = await Promise.all([
      adding.message(0, 60_000),
      reloading.message(0, 60_000),
    ]);
    expect(added.embeds[0].title).toBe("Added: Zorblat lantern festival");
    expect(reloaded.embeds[0].title).toBe("Documents reloaded");
    const index = await bot.assistant.knowledgeBase.library({ kind: "guild", guildId: one });
    const indexed = index?.manifest.documents.map((doc) => doc.source).sort();
    expect(indexed).toEqual((await listing(one)).sort());
    expect(await ask(FACTS.txt.question, { guildId: one })).toContain("every April in Tromsø");
  });

  test("the audit log has a line for every change, with who, what, where and how it went", async () => {
    const entries = await audit();
    const fromOne = entries.filter((entry) => entry.guildId === one);
    expect(
      fromOne.filter((e) => e.action === "add" && e.outcome === "done").length,
    ).toBeGreaterThanOrEqual(7);
    expect(fromOne).toContainEqual(
      expect.objectContaining({
        action: "remove",
        document: "zorblat.txt",
        scope: "server",
        outcome: "done",
      }),
    );
    expect(fromOne).toContainEqual(expect.objectContaining({ action: "reload", outcome: "done" }));
    expect(fromOne).toContainEqual(
      expect.objectContaining({
        action: "add",
        outcome: "refused",
        error: expect.stringMatching(/not a PDF/),
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        guildId: two,
        userId: OWNER,
        action: "add",
        document: "lighthouse.txt",
        scope: "shared",
      }),
    );
    for (const entry of entries) {
      expect(entry.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(entry.userName).toMatch(/^member-/);
    }
    // Refused members left no line.
    expect(entries.every((entry) => entry.userName !== undefined)).toBe(true);
  });
});

test("without ALLOW_PRIVATE_URLS, a link to a private address is refused with a reason, and nothing changes", async () => {
  const strict = await LoopbackDiscord.start();
  const strictBot = await startTestBot(strict, { DATA_DIR: data.dir });
  try {
    const guildId = strict.guildId;
    const requests = pages.requests.length;
    const reply = await strict
      .command("document add", { url: pages.url("/railway") }, moderator)
      .message(0, 30_000);
    expect(reply.embeds[0].title).toBe("Not added");
    expect(reply.embeds[0].fields[0].value).toMatch(
      /non-public address: only public pages can be added \(an operator may allow private ones with ALLOW\\_PRIVATE\\_URLS=true\)/,
    );
    expect(pages.requests.length).toBe(requests);
    expect(await listing(guildId)).toEqual([]);
  } finally {
    await strictBot.stop();
    await strict.close();
  }
});
