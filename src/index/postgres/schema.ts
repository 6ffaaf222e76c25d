import type { Pool, PoolClient } from "pg";
import { applyMigrations, connect, transaction } from "../../postgres/migrate.js";
import { StoreMismatchError } from "../errors.js";
import type { IndexSettings } from "../manifest.js";

/**
 * The schema's versions, applied in order, each once, in one transaction with its version number.
 * The chunks table is not among them: its vector column's size is the embeddings', so it is made
 * when the embeddings are recorded (ensureSettings).
 */
const MIGRATIONS: string[] = [
  // 1: the embeddings the vectors were made with, the libraries and their documents.
  `CREATE TABLE docsbot_settings (
     id boolean PRIMARY KEY DEFAULT true CHECK (id),
     provider text NOT NULL,
     model text NOT NULL,
     dimensions integer NOT NULL
   );
   CREATE TABLE docsbot_libraries (
     library text PRIMARY KEY,
     changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
   );
   CREATE TABLE docsbot_documents (
     library text NOT NULL,
     id text NOT NULL,
     source text NOT NULL,
     title text NOT NULL,
     date text,
     hash text NOT NULL,
     -- The chunk settings the document was split with: a change re-splits it.
     splitter text NOT NULL,
     chunks integer NOT NULL,
     PRIMARY KEY (library, id)
   );`,
];

/** Any number the bot's processes agree on: they take turns migrating under this advisory lock. */
const MIGRATION_LOCK = 727_001;

export const REBUILD_COMMAND = "npm run index -- --rebuild";

/** The chunks table for vectors of this many dimensions, with its two search indexes. */
function chunksTable(dimensions: number): string {
  // DDL takes no parameters: the size is a whole number checked here, never text from outside.
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16_000)
    throw new Error(`not a vector size: ${dimensions}`);
  return `CREATE TABLE docsbot_chunks (
     id bigserial PRIMARY KEY,
     library text NOT NULL,
     document_id text NOT NULL,
     chunk integer NOT NULL,
     content text NOT NULL,
     metadata jsonb NOT NULL,
     -- The chunk's keyword stems (the same words and stems as the local BM25 index), spaces between.
     terms text NOT NULL,
     embedding vector(${dimensions}) NOT NULL,
     tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED,
     UNIQUE (library, document_id, chunk),
     FOREIGN KEY (library, document_id) REFERENCES docsbot_documents (library, id) ON DELETE CASCADE
   );
   CREATE INDEX docsbot_chunks_embedding ON docsbot_chunks USING hnsw (embedding vector_cosine_ops);
   CREATE INDEX docsbot_chunks_tsv ON docsbot_chunks USING gin (tsv);`;
}

/**
 * Creates or migrates the schema and checks that the database's vectors were made with the
 * configured embeddings. Idempotent; processes starting at once take turns (an advisory lock).
 * With `reset`, every library's chunks and documents are dropped and the embeddings recorded anew
 * (`npm run index -- --rebuild`, after a change of embeddings).
 */
export async function prepareSchema(
  pool: Pool,
  embeddings: IndexSettings["embeddings"],
  reset = false,
): Promise<void> {
  const client = await connect(pool);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await client.query("CREATE EXTENSION IF NOT EXISTS vector");
      await applyMigrations(client, "docsbot_schema", MIGRATIONS);
      await ensureSettings(client, embeddings, reset);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

async function ensureSettings(
  client: PoolClient,
  embeddings: IndexSettings["embeddings"],
  reset: boolean,
): Promise<void> {
  await transaction(client, async () => {
    const { rows } = await client.query<IndexSettings["embeddings"]>(
      "SELECT provider, model, dimensions FROM docsbot_settings",
    );
    const recorded = rows[0];
    const same =
      recorded &&
      recorded.provider === embeddings.provider &&
      recorded.model === embeddings.model &&
      recorded.dimensions === embeddings.dimensions;
    if (same && !reset) return;
    if (recorded && !same && !reset) {
      throw new StoreMismatchError(
        `The database in DATABASE_URL holds vectors of ${describe(recorded)}, but the bot is set to ${describe(embeddings)} (EMBEDDINGS, EMBEDDINGS_MODEL). Run \`${REBUILD_COMMAND}\` to embed every document again with the new settings, or set them back.`,
      );
    }
    await client.query("DROP TABLE IF EXISTS docsbot_chunks");
    await client.query("DELETE FROM docsbot_documents");
    await client.query("UPDATE docsbot_libraries SET changed_at = clock_timestamp()");
    await client.query(chunksTable(embeddings.dimensions));
    await client.query("DELETE FROM docsbot_settings");
    await client.query(
      "INSERT INTO docsbot_settings (provider, model, dimensions) VALUES ($1, $2, $3)",
      [embeddings.provider, embeddings.model, embeddings.dimensions],
    );
  });
}

function describe({ provider, model, dimensions }: IndexSettings["embeddings"]): string {
  return `${provider}/${model} (${dimensions} dimensions)`;
}

export { connect, transaction };
