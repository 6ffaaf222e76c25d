import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";
import { answerQuestion } from "../src/answer/answer.js";
import { openAssistant } from "../src/assistant.js";
import { loadCoreConfig } from "../src/config.js";
import { stems } from "../src/index/postgres/store.js";
import { KnowledgeBase } from "../src/knowledgeBase.js";
import { phase } from "./progress.js";
import type { Question } from "./questions.js";
import { pick, seeded } from "./seeded.js";
import { type Latency, latency, timed } from "./stats.js";

/** STORE=postgres on the bench corpus, and at 100k chunks with --scale. */
export interface PostgresFigures {
  database: "PGlite" | "PostgreSQL";
  /** Every document written (an empty database), then again with nothing changed. */
  syncMs: { first: number; unchanged: number };
  /** A process opening the assistant on a filled database (word vectors already loaded). */
  openMs: number;
  /** answerQuestion, one question after another. */
  askMs: Latency;
  /** The one hybrid SQL statement alone (the store's search). */
  searchMs: Latency;
  at100k?: { insertMs: number; indexMs: number; searchMs: Latency };
}

const SCALE_N = 100_000;
const SCALE_QUESTIONS = 200;
const INSERT_BATCH = 1000;

/** A PGlite server on 127.0.0.1 for the bench, as the tests start one. */
async function startPglite(): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1", maxConnections: 16 });
  await server.start();
  const { port } = (
    server as unknown as { server: import("node:net").Server }
  ).server.address() as {
    port: number;
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export async function benchPostgres(input: {
  dataDir: string;
  questions: Question[];
  /** A real PostgreSQL (with pgvector); PGlite when not given. */
  url?: string;
  scale: boolean;
  seed: number;
}): Promise<PostgresFigures> {
  const pglite = input.url ? undefined : await startPglite();
  const url = input.url ?? pglite?.url ?? "";
  try {
    const config = loadCoreConfig({
      DATA_DIR: input.dataDir,
      STORE: "postgres",
      DATABASE_URL: url,
    });
    const writing = phase(`STORE=postgres (${pglite ? "PGlite" : "PostgreSQL"}): writing`, 1);
    const first = await timed(() => KnowledgeBase.open(config, { rebuild: true, reset: true }));
    await first.value.knowledgeBase.close();
    const unchanged = await timed(() => KnowledgeBase.open(config, { rebuild: true }));
    await unchanged.value.knowledgeBase.close();
    writing.stop();

    const opened = await timed(() => openAssistant(config));
    const { assistant } = opened.value;
    const bar = phase("STORE=postgres: answering", input.questions.length);
    const ask: number[] = [];
    const search: number[] = [];
    for (const question of input.questions) {
      ask.push((await timed(() => answerQuestion(assistant, question.text))).ms);
      search.push((await timed(() => assistant.knowledgeBase.retrieve(question.text))).ms);
      bar.update(ask.length);
    }
    bar.stop();

    let at100k: PostgresFigures["at100k"];
    if (input.scale) {
      const sources = await chunkTexts(url);
      at100k = await scaleTo100k(url, sources, input, assistant.knowledgeBase);
    }
    await assistant.knowledgeBase.close();
    return {
      database: pglite ? "PGlite" : "PostgreSQL",
      syncMs: { first: first.ms, unchanged: unchanged.ms },
      openMs: opened.ms,
      askMs: latency(ask),
      searchMs: latency(search),
      ...(at100k ? { at100k } : {}),
    };
  } finally {
    await pglite?.stop();
  }
}

async function chunkTexts(url: string): Promise<string[][]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ content: string }>(
      "SELECT content FROM docsbot_chunks WHERE library = 'shared'",
    );
    return rows.map((row) => row.content.split(/\s+/).filter(Boolean));
  } finally {
    await client.end();
  }
}

/**
 * 100k generated chunks in a library of their own (words of the corpus's chunks, mixed two at a
 * time, as the local scaling run makes them), written in bulk with the indexes made after, then
 * the hybrid search over the shared library plus that one. The chunks table's triggers keep the
 * keyword frequencies (docsbot_terms) of these rows as they do for the bot's own writes.
 */
async function scaleTo100k(
  url: string,
  sources: string[][],
  input: { questions: Question[]; seed: number },
  knowledgeBase: KnowledgeBase,
): Promise<NonNullable<PostgresFigures["at100k"]>> {
  const { LocalEmbeddings } = await import("../src/embeddings/local.js");
  const embeddings = await LocalEmbeddings.create();
  const random = seeded(input.seed);
  const guildId = "100000000000000000";
  const library = `guild:${guildId}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("DROP INDEX IF EXISTS docsbot_chunks_embedding");
    await client.query("DROP INDEX IF EXISTS docsbot_chunks_tsv");
    await client.query("DELETE FROM docsbot_documents WHERE library = $1", [library]);
    await client.query(
      `INSERT INTO docsbot_documents (library, id, source, title, hash, splitter, chunks)
       VALUES ($1, 'generated.txt', 'generated.txt', 'generated', '-', '-', $2)`,
      [library, SCALE_N],
    );
    const bar = phase("STORE=postgres: writing 100k chunks", SCALE_N);
    const inserting = performance.now();
    for (let start = 0; start < SCALE_N; start += INSERT_BATCH) {
      const texts = Array.from({ length: INSERT_BATCH }, () => {
        const a = pick(random, sources);
        const b = pick(random, sources);
        const share = random();
        return Array.from(a, () => pick(random, random() < share ? a : b)).join(" ");
      });
      const vectors = await embeddings.embedDocuments(texts);
      await client.query(
        `INSERT INTO docsbot_chunks (library, document_id, chunk, content, metadata, terms, embedding)
         SELECT $1, 'generated.txt', u.chunk, u.content, u.metadata::jsonb, u.terms, u.embedding::vector
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[])
           AS u(chunk, content, metadata, terms, embedding)`,
        [
          library,
          texts.map((_, i) => start + i + 1),
          texts,
          texts.map((text, i) =>
            JSON.stringify({
              id: `generated.txt#${start + i + 1}`,
              documentId: "generated.txt",
              title: "generated",
              source: "generated.txt",
              chunk: start + i + 1,
              start: 0,
              end: text.length,
            }),
          ),
          texts.map((text) => stems(text).join(" ")),
          vectors.map((v) => `[${v.join(",")}]`),
        ],
      );
      bar.update(start + INSERT_BATCH);
    }
    bar.stop();
    const insertMs = performance.now() - inserting;
    const indexing = phase("STORE=postgres: HNSW and GIN indexes at 100k", 1);
    const indexStarted = performance.now();
    await client.query(
      "CREATE INDEX docsbot_chunks_embedding ON docsbot_chunks USING hnsw (embedding vector_cosine_ops)",
    );
    await client.query("CREATE INDEX docsbot_chunks_tsv ON docsbot_chunks USING gin (tsv)");
    await client.query("ANALYZE docsbot_chunks");
    const indexMs = performance.now() - indexStarted;
    indexing.stop();
    const times: number[] = [];
    for (const question of input.questions.slice(0, SCALE_QUESTIONS)) {
      times.push((await timed(() => knowledgeBase.retrieve(question.text, { guildId }))).ms);
    }
    return { insertMs, indexMs, searchMs: latency(times) };
  } finally {
    await client.end();
  }
}

/** The STORE=postgres rows of the bench's table, beside the local figures above them. */
export function renderPostgres(
  local: { askMs: Latency; at100kAskP95Ms?: number },
  figures: (PostgresFigures | { database: string; error: string })[],
): string {
  const ms = (x: number) => `${Math.round(x).toLocaleString("en")} ms`;
  const lines = ["", "Stores (ask = answerQuestion; search = the store's hybrid search alone)"];
  lines.push(
    `  local                  ask p50 ${ms(local.askMs.p50)}, p95 ${ms(local.askMs.p95)}${local.at100kAskP95Ms !== undefined ? `; at 100k chunks ask p95 ${ms(local.at100kAskP95Ms)}` : ""}`,
  );
  for (const figure of figures) {
    const name = `  postgres (${figure.database})`.padEnd(25);
    if ("error" in figure) {
      lines.push(`${name}failed: ${figure.error}`);
      continue;
    }
    lines.push(
      `${name}ask p50 ${ms(figure.askMs.p50)}, p95 ${ms(figure.askMs.p95)}; search p95 ${ms(figure.searchMs.p95)}`,
      `${"".padEnd(25)}write every document ${ms(figure.syncMs.first)}, nothing changed ${ms(figure.syncMs.unchanged)}, open ${ms(figure.openMs)}`,
    );
    if (figure.at100k) {
      lines.push(
        `${"".padEnd(25)}at 100k chunks: search p95 ${ms(figure.at100k.searchMs.p95)} (p50 ${ms(figure.at100k.searchMs.p50)}); bulk write ${ms(figure.at100k.insertMs)}, HNSW + GIN build ${ms(figure.at100k.indexMs)}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
