import { writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { type Assistant, openAssistant } from "../src/assistant.js";
import { addDocument, removeDocument } from "../src/documents/manage.js";
import { createEmbeddings } from "../src/embeddings/index.js";
import { DatabaseUnavailableError, StoreMismatchError } from "../src/index/errors.js";
import { guildLibrary } from "../src/index/library.js";
import { KnowledgeBase } from "../src/knowledgeBase.js";
import { tempDataDir } from "./support/dataDir.js";
import { TEST_STORE } from "./support/postgres.js";
import { run } from "./support/run.js";

// STORE=postgres itself: the schema, the synchronised changes, two processes on one database,
// and a database that goes away. (The tests of answers, the CLI and the bot run on both stores.)

const ONE = "111111111111111111";
const TWO = "222222222222222222";
const FESTIVAL = "When does the Zorblat lantern festival take place?";
const FESTIVAL_TEXT =
  "Zorblat lantern festival\n\nThe Zorblat lantern festival takes place every February in Tromsø.\n";

let data: Awaited<ReturnType<typeof tempDataDir>>;
let first: Assistant;
let second: Assistant;
let client: pg.Client;

beforeAll(async () => {
  data = await tempDataDir();
  // Two bot processes on one database: two assistants, each with its own pool.
  [{ assistant: first }, { assistant: second }] = await Promise.all([
    openAssistant(data.config),
    openAssistant(data.config),
  ]);
  client = new pg.Client({ connectionString: data.config.DATABASE_URL });
  client.on("error", () => {});
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await first?.knowledgeBase.close();
  await second?.knowledgeBase.close();
  await data?.remove();
});

test("runs against PostgreSQL in this project", () => {
  expect(TEST_STORE).toBe("postgres");
  expect(data.config.STORE).toBe("postgres");
});

test("two processes starting at once create the schema once, with pgvector's indexes", async () => {
  const versions = await client.query("SELECT version FROM docsbot_schema ORDER BY version");
  expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
  const indexes = await client.query(
    "SELECT indexdef FROM pg_indexes WHERE tablename = 'docsbot_chunks' ORDER BY indexname",
  );
  const definitions = indexes.rows.map((row) => row.indexdef).join("\n");
  expect(definitions).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
  expect(definitions).toMatch(/USING gin \(tsv\)/);
  const documents = await client.query(
    "SELECT count(*)::int AS n FROM docsbot_documents WHERE library = 'shared'",
  );
  expect(documents.rows[0].n).toBe(first.knowledgeBase.manifest.documents.length);
});

test("a document added through one process is answered by the other within 1 s, in that server only", async () => {
  const added = await addDocument(
    first,
    guildLibrary(ONE),
    { name: "zorblat.txt", bytes: new TextEncoder().encode(FESTIVAL_TEXT) },
    "zorblat.txt",
  );
  expect(added.status).toBe("added");
  const started = performance.now();
  const there = await answerQuestion(second, FESTIVAL, { guildId: ONE });
  expect(performance.now() - started).toBeLessThan(1000);
  expect(there.answer).toContain("every February in Tromsø");
  expect(there.sources[0]).toMatchObject({ library: "guild" });

  for (const guildId of [TWO, undefined]) {
    expect((await answerQuestion(second, FESTIVAL, { guildId })).answered).toBe(false);
  }

  await removeDocument(first, guildLibrary(ONE), added.fileName);
  expect((await answerQuestion(second, FESTIVAL, { guildId: ONE })).answered).toBe(false);
});

test("a reload writes only the documents whose content changed, and removes the deleted ones", async () => {
  const before = await client.query<{ document_id: string; ids: string[] }>(
    "SELECT document_id, array_agg(id ORDER BY id) AS ids FROM docsbot_chunks WHERE library = 'shared' GROUP BY document_id",
  );
  await writeFile(path.join(data.docs, "lanterns.txt"), FESTIVAL_TEXT);
  const report = await first.knowledgeBase.reload();
  expect(report.added).toEqual(["lanterns.txt"]);
  expect(report.changed).toEqual([]);
  const after = await client.query<{ document_id: string; ids: string[] }>(
    "SELECT document_id, array_agg(id ORDER BY id) AS ids FROM docsbot_chunks WHERE library = 'shared' GROUP BY document_id",
  );
  // The documents that did not change keep their rows: they were not written again.
  for (const row of before.rows) {
    expect(after.rows.find((other) => other.document_id === row.document_id)?.ids).toEqual(row.ids);
  }
  expect((await answerQuestion(second, FESTIVAL)).answer).toContain("every February");

  const { rm } = await import("node:fs/promises");
  await rm(path.join(data.docs, "lanterns.txt"));
  const removed = await second.knowledgeBase.reload();
  expect(removed.removed).toEqual(["lanterns.txt"]);
  expect((await answerQuestion(first, FESTIVAL)).answered).toBe(false);
});

/** The document frequencies docsbot_terms holds, and the ones counted afresh from the chunks. */
async function frequencies(library: string) {
  const kept = await client.query<{ term: string; chunks: number }>(
    "SELECT term, chunks FROM docsbot_terms WHERE library = $1 ORDER BY term",
    [library],
  );
  const counted = await client.query<{ term: string; chunks: number }>(
    `SELECT w.lexeme AS term, count(*)::int AS chunks FROM docsbot_chunks c, unnest(c.tsv) w
     WHERE c.library = $1 GROUP BY w.lexeme ORDER BY w.lexeme`,
    [library],
  );
  return { kept: kept.rows, counted: counted.rows };
}

test("the keyword frequencies follow every added, changed and removed document", async () => {
  const zorblat = async () =>
    (
      await client.query<{ chunks: number }>(
        "SELECT chunks FROM docsbot_terms WHERE library = 'shared' AND term = 'zorblat'",
      )
    ).rows[0]?.chunks;
  const { rm } = await import("node:fs/promises");
  const one = path.join(data.docs, "zorblat-one.txt");
  const two = path.join(data.docs, "zorblat-two.txt");
  await writeFile(one, FESTIVAL_TEXT);
  await writeFile(two, FESTIVAL_TEXT.replace("Tromsø", "Bergen"));
  await first.knowledgeBase.reload();
  expect(await zorblat()).toBe(2);
  let { kept, counted } = await frequencies("shared");
  expect(kept.length).toBeGreaterThan(100);
  expect(kept).toEqual(counted);

  // A changed document's old words stop counting, its new ones count.
  await writeFile(two, "Opening hours\n\nThe museum opens at nine in Bergen.\n");
  await second.knowledgeBase.reload();
  expect(await zorblat()).toBe(1);
  ({ kept, counted } = await frequencies("shared"));
  expect(kept).toEqual(counted);

  await rm(one);
  await rm(two);
  await first.knowledgeBase.reload();
  expect(await zorblat()).toBeUndefined();
  ({ kept, counted } = await frequencies("shared"));
  expect(kept).toEqual(counted);
  // The server whose only document was removed (above) counts no word at all.
  expect((await frequencies(`guild:${ONE}`)).kept).toEqual([]);
});

test("a database of the first schema gets the keyword frequencies of the chunks it holds, and keeps its documents as the folders'", async () => {
  await client.query(`DROP TABLE docsbot_terms;
    DROP FUNCTION docsbot_count_terms() CASCADE;
    DROP TABLE docsbot_removed;
    ALTER TABLE docsbot_documents DROP COLUMN origin, DROP COLUMN body,
      ALTER COLUMN splitter SET NOT NULL;
    DELETE FROM docsbot_schema WHERE version >= 2;`);
  const [{ assistant: a }, { assistant: b }] = await Promise.all([
    openAssistant(data.config),
    openAssistant(data.config),
  ]);
  await a.knowledgeBase.close();
  await b.knowledgeBase.close();
  const versions = await client.query("SELECT version FROM docsbot_schema ORDER BY version");
  expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
  const origins = await client.query(
    "SELECT DISTINCT origin FROM docsbot_documents WHERE library = 'shared'",
  );
  expect(origins.rows).toEqual([{ origin: "folder" }]);
  const { kept, counted } = await frequencies("shared");
  expect(kept.length).toBeGreaterThan(100);
  expect(kept).toEqual(counted);
  // And the triggers are back: a new document counts.
  await writeFile(path.join(data.docs, "zorblat.txt"), FESTIVAL_TEXT);
  await first.knowledgeBase.reload();
  expect((await frequencies("shared")).kept).toEqual((await frequencies("shared")).counted);
  expect((await answerQuestion(second, FESTIVAL)).answer).toContain("every February");
  const { rm } = await import("node:fs/promises");
  await rm(path.join(data.docs, "zorblat.txt"));
  await first.knowledgeBase.reload();
});

test("other embeddings than the database's stop the start, naming the command that re-embeds", async () => {
  const choice = await createEmbeddings(data.config);
  const other = { ...choice, model: `${choice.model}-other` };
  const opening = KnowledgeBase.open(data.config, { embeddings: other });
  await expect(opening).rejects.toThrow(StoreMismatchError);
  await expect(opening).rejects.toThrow(/npm run index -- --rebuild/);
  // The vectors were left alone: the running processes still answer.
  expect((await answerQuestion(first, "Who sponsored the resolution?")).answer).toContain("China");
});

test("a database that goes away: questions get DatabaseUnavailableError, and answers come back with it", async () => {
  const { port } = new URL(data.config.DATABASE_URL ?? "");
  const database = (await import("./support/postgres.js")).databaseOf(data.dir);
  await client.end();
  await database?.pause();
  try {
    await expect(first.knowledgeBase.retrieve("Who sponsored the resolution?")).rejects.toThrow(
      DatabaseUnavailableError,
    );
    await expect(first.knowledgeBase.retrieve("Who sponsored the resolution?")).rejects.toThrow(
      /DATABASE_URL/,
    );
  } finally {
    await database?.resume();
  }
  expect(port).toBeTruthy();
  const back = await answerQuestion(first, "Who sponsored the resolution?");
  expect(back.answer).toContain("China");
  client = new pg.Client({ connectionString: data.config.DATABASE_URL });
  client.on("error", () => {});
  await client.connect();
});

test("npm run ask with an unreachable database: a message naming DATABASE_URL, exit 1", async () => {
  const { exited, output } = run(["run", "--silent", "ask", "--", "Who sponsored it?"], {
    DATA_DIR: data.dir,
    LOG_LEVEL: "",
    STORE: "postgres",
    // A port nothing listens on.
    DATABASE_URL: "postgres://postgres:secret@127.0.0.1:9/postgres",
  });
  expect(await exited).toBe(1);
  const { stderr } = output();
  expect(stderr).toMatch(/Cannot reach the database at DATABASE_URL/);
  expect(stderr).not.toContain("secret");
});
