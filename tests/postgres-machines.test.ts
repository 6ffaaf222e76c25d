import { access, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { type Assistant, openAssistant } from "../src/assistant.js";
import { loadCoreConfig } from "../src/config.js";
import { addDocument, removeDocument } from "../src/documents/manage.js";
import { guildLibrary, SHARED } from "../src/index/library.js";
import { tempDataDir } from "./support/dataDir.js";
import { storeEnv } from "./support/postgres.js";
import { run } from "./support/run.js";

// STORE=postgres on two machines: two DATA_DIRs, each with its own folders, on one database. A
// document added from Discord lives in the database with its text: a machine whose folder lacks
// it keeps answering from it, until it is removed from Discord (on any machine). The folders'
// documents still follow the folders.

const ONE = "111111111111111111";
const TWO = "222222222222222222";
const FESTIVAL = "When does the Zorblat lantern festival take place?";
const FESTIVAL_TEXT =
  "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every February in Tromsø.\n";
const FERRY = "When does the Quillon ferry leave?";
const FERRY_TEXT =
  "# Quillon ferry\n\nThe Quillon ferry leaves from pier 9 at 7:15 every morning.\n\n## Fares\n\nA single ticket costs 4 euros.\n";

let a: Awaited<ReturnType<typeof tempDataDir>>;
let b: Awaited<ReturnType<typeof tempDataDir>>;
let onA: Assistant;
let onB: Assistant;
let client: pg.Client;

beforeAll(async () => {
  a = await tempDataDir();
  b = await tempDataDir({ databaseOf: a.dir });
  ({ assistant: onA } = await openAssistant(a.config));
  ({ assistant: onB } = await openAssistant(b.config));
  client = new pg.Client({ connectionString: a.config.DATABASE_URL });
  client.on("error", () => {});
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await onA?.knowledgeBase.close();
  await onB?.knowledgeBase.close();
  await b?.remove();
  await a?.remove();
});

/** A text added from Discord on a machine, as /document add does it. */
function add(on: Assistant, library = SHARED, name = "zorblat.txt", text = FESTIVAL_TEXT) {
  return addDocument(on, library, { name, bytes: new TextEncoder().encode(text) }, name);
}

async function answers(on: Assistant, question: string, guildId?: string): Promise<string> {
  const answer = await answerQuestion(on, question, { guildId });
  return answer.answered ? answer.answer : "";
}

/** `npm run index` on a machine, as its operator types it. */
async function npmIndex(dataDir: string, ...args: string[]) {
  const command = run(["run", "--silent", "index", ...(args.length ? ["--", ...args] : [])], {
    DATA_DIR: dataDir,
    LOG_LEVEL: "",
  });
  const [code] = await Promise.all([command.exited, command.closed]);
  return { code, ...command.output() };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

test("the two machines share one database, and not their folders", () => {
  expect(storeEnv(b.dir).DATABASE_URL).toBe(a.config.DATABASE_URL);
  expect(b.docs).not.toBe(a.docs);
});

test("a shared document added from Discord on A is still answered after B starts, B's /reload and B's npm run index", async () => {
  expect((await add(onA)).status).toBe("added");
  expect(await exists(path.join(b.docs, "zorblat.txt"))).toBe(false);
  // The same text from B: already in the library, as the database has it.
  expect((await add(onB)).status).toBe("unchanged");
  expect(await exists(path.join(b.docs, "zorblat.txt"))).toBe(false);

  // B starts (its folder brings the shared library up to date).
  const { assistant: started } = await openAssistant(b.config);
  try {
    expect(await answers(started, FESTIVAL)).toContain("every February in Tromsø");
  } finally {
    await started.knowledgeBase.close();
  }

  const reloaded = await onB.knowledgeBase.reload();
  expect(reloaded.removed).toEqual([]);
  expect(await answers(onB, FESTIVAL)).toContain("every February in Tromsø");

  const indexed = await npmIndex(b.dir);
  expect(indexed.code).toBe(0);
  expect(indexed.stdout).not.toContain("Removed");
  expect(await answers(onA, FESTIVAL)).toContain("every February in Tromsø");

  // Removed from Discord on B, whose folder never had it: gone for both machines.
  const removed = await removeDocument(onB, SHARED, "zorblat.txt");
  expect(removed.report.removed).toEqual(["zorblat.txt"]);
  expect(await answers(onA, FESTIVAL)).toBe("");
  expect(await answers(onB, FESTIVAL)).toBe("");
  // A's folder still has the very file: A's /reload does not bring it back, and says why.
  expect(await exists(path.join(a.docs, "zorblat.txt"))).toBe(true);
  const onAReload = await onA.knowledgeBase.reload();
  expect(onAReload.added).toEqual([]);
  expect(onAReload.skipped).toContainEqual({
    source: "zorblat.txt",
    reason: expect.stringMatching(/removed with \/document remove or replaced/),
  });
  expect(await answers(onA, FESTIVAL)).toBe("");
  // Added again from Discord: answered again.
  expect((await add(onA)).status).toBe("replaced");
  expect(await answers(onB, FESTIVAL)).toContain("every February in Tromsø");
  // Replaced from B with a new version: A's /reload does not put its older copy back.
  const april = FESTIVAL_TEXT.replace("February", "April");
  expect((await add(onB, SHARED, "zorblat.txt", april)).status).toBe("replaced");
  const afterReplace = await onA.knowledgeBase.reload();
  expect(afterReplace.changed).toEqual([]);
  expect(afterReplace.skipped.map((file) => file.source)).toContain("zorblat.txt");
  expect(await answers(onA, FESTIVAL)).toContain("every April in Tromsø");
  await removeDocument(onA, SHARED, "zorblat.txt");
  expect(await exists(path.join(a.docs, "zorblat.txt"))).toBe(false);
  expect(await answers(onB, FESTIVAL)).toBe("");
  await rm(path.join(b.docs, "zorblat.txt"));
});

test("a document added from Discord and then edited in A's folder stays in the database with its new text", async () => {
  await add(onA);
  const file = path.join(a.docs, "zorblat.txt");
  const { readFile } = await import("node:fs/promises");
  await writeFile(file, (await readFile(file, "utf8")).replace("February", "March"));
  const edited = await onA.knowledgeBase.reload();
  expect(edited.changed).toEqual(["zorblat.txt"]);
  // B, whose folder lacks it, keeps it with that text through its own /reload.
  const reloaded = await onB.knowledgeBase.reload();
  expect(reloaded.removed).toEqual([]);
  expect(await answers(onB, FESTIVAL)).toContain("every March in Tromsø");
  await removeDocument(onB, SHARED, "zorblat.txt");
  expect(await answers(onA, FESTIVAL)).toBe("");
  await rm(file);
});

test("a server's document added on A survives that server's /reload on B, and /document remove on B removes it from both", async () => {
  const server = guildLibrary(ONE);
  const added = await add(onA, server, "quillon.md", FERRY_TEXT);
  expect(added.status).toBe("added");
  expect(await answers(onB, FERRY, ONE)).toContain("7:15 every morning");

  const reloaded = await onB.knowledgeBase.reload(undefined, server);
  expect(reloaded.removed).toEqual([]);
  expect(reloaded.documents).toBe(1);
  expect(await answers(onB, FERRY, ONE)).toContain("7:15 every morning");
  expect(await answers(onB, FERRY, TWO)).toBe("");

  // B has no folder for this server at all.
  const removed = await removeDocument(onB, server, added.fileName);
  expect(removed.fileName).toBe("quillon.md");
  expect(await answers(onA, FERRY, ONE)).toBe("");
  expect(await answers(onB, FERRY, ONE)).toBe("");
  // A's list still names it: removing it there says it is gone already (and A's copy goes).
  await expect(removeDocument(onA, server, "quillon.md")).rejects.toThrow(/removed already/);
  // Not brought back by A's /reload.
  await onA.knowledgeBase.reload(undefined, server);
  expect(await answers(onA, FERRY, ONE)).toBe("");
  expect(await answers(onB, FERRY, ONE)).toBe("");
});

test("a file deleted from the shared folder on every machine is removed by a /reload: folder documents follow the folder", async () => {
  for (const docs of [a.docs, b.docs])
    await writeFile(path.join(docs, "lanterns.txt"), FESTIVAL_TEXT);
  const added = await onA.knowledgeBase.reload();
  expect(added.added).toEqual(["lanterns.txt"]);
  expect(await answers(onB, FESTIVAL)).toContain("every February");

  for (const docs of [a.docs, b.docs]) await rm(path.join(docs, "lanterns.txt"));
  const removed = await onB.knowledgeBase.reload();
  expect(removed.removed).toEqual(["lanterns.txt"]);
  expect(await answers(onA, FESTIVAL)).toBe("");
});

test("npm run index -- --rebuild keeps the documents added from Discord, and answers from them afterwards", async () => {
  await add(onA);
  await add(onA, guildLibrary(TWO), "quillon.md", FERRY_TEXT);
  // Run on B, whose folders have neither.
  const rebuilt = await npmIndex(b.dir, "--rebuild");
  expect(rebuilt.code).toBe(0);
  expect(await answers(onA, FESTIVAL)).toContain("every February in Tromsø");
  expect(await answers(onB, "Who sponsored the resolution?")).toContain("China");

  // The server's document is embedded again when its library is next opened (a bot's start).
  const { assistant: started } = await openAssistant(b.config);
  try {
    expect(await answers(started, FERRY, TWO)).toContain("7:15 every morning");
    expect(await answers(onA, FERRY, TWO)).toContain("7:15 every morning");
  } finally {
    await started.knowledgeBase.close();
  }
});

test("another CHUNK_SIZE splits a document added from Discord again on a machine without its file", async () => {
  const long = `Lighthouse keepers\n\n${Array.from(
    { length: 12 },
    (_, i) =>
      `Keeper number ${i + 1} of the Marrowind lighthouse kept the lamp burning for ${i + 2} winters, and logged every ship that passed the reef.`,
  ).join("\n\n")}\n\nThe Marrowind lighthouse lamp can be seen 40 kilometres out to sea.\n`;
  await add(onA, SHARED, "keepers.txt", long);
  await add(onA, guildLibrary(TWO), "keepers.txt", long);
  const split = async (library: string) =>
    (
      await client.query<{ chunks: number; splitter: string }>(
        "SELECT chunks, splitter FROM docsbot_documents WHERE library = $1 AND id = 'keepers.txt'",
        [library],
      )
    ).rows[0];
  const before = await split("shared");

  const smaller = loadCoreConfig({
    DATA_DIR: b.dir,
    ...storeEnv(b.dir),
    CHUNK_SIZE: "300",
    CHUNK_OVERLAP: "50",
  });
  const { assistant: resplit } = await openAssistant(smaller);
  try {
    const after = await split("shared");
    expect(JSON.parse(after.splitter)).toMatchObject({ chunkSize: 300 });
    expect(after.chunks).toBeGreaterThan(before.chunks);
    const question = "How far out to sea can the Marrowind lighthouse lamp be seen?";
    expect(await answers(resplit, question)).toContain("40 kilometres");
    // A server's library opened on that machine: split again from its text too.
    expect(await answers(resplit, question, TWO)).toContain("40 kilometres");
    expect((await split(`guild:${TWO}`)).chunks).toBe(after.chunks);
  } finally {
    await resplit.knowledgeBase.close();
  }
});
