import type { Pool, PoolClient } from "pg";
import { applyMigrations, connect, transaction } from "../../postgres/migrate.js";
import { StoreMismatchError } from "../errors.js";
import type { IndexSettings } from "../manifest.js";

/**
 * Adds the terms of the chunks a statement wrote to their library's document frequencies, and
 * takes away those of the chunks it deleted (a document's delete cascades to its chunks). One
 * statement's chunks at once (transition tables): a document's write is one upsert per term.
 */
const COUNT_TERMS = `
  CREATE FUNCTION docsbot_count_terms() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
      UPDATE docsbot_terms t SET chunks = t.chunks - gone.n
      FROM (SELECT c.library, w.lexeme AS term, count(*) AS n
            FROM docsbot_removed c, unnest(c.tsv) w GROUP BY 1, 2) gone
      WHERE t.library = gone.library AND t.term = gone.term;
      DELETE FROM docsbot_terms t
      USING (SELECT DISTINCT c.library, w.lexeme AS term FROM docsbot_removed c, unnest(c.tsv) w) gone
      WHERE t.library = gone.library AND t.term = gone.term AND t.chunks <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      INSERT INTO docsbot_terms AS t (library, term, chunks)
      SELECT c.library, w.lexeme, count(*) FROM docsbot_added c, unnest(c.tsv) w GROUP BY 1, 2
      ON CONFLICT (library, term) DO UPDATE SET chunks = t.chunks + excluded.chunks;
    END IF;
    RETURN NULL;
  END $fn$;`;

/** The triggers that keep docsbot_terms, on the chunks table (made with it). */
const COUNTING_TRIGGERS = `
  CREATE TRIGGER docsbot_chunks_added AFTER INSERT ON docsbot_chunks
    REFERENCING NEW TABLE AS docsbot_added
    FOR EACH STATEMENT EXECUTE FUNCTION docsbot_count_terms();
  CREATE TRIGGER docsbot_chunks_removed AFTER DELETE ON docsbot_chunks
    REFERENCING OLD TABLE AS docsbot_removed
    FOR EACH STATEMENT EXECUTE FUNCTION docsbot_count_terms();
  CREATE TRIGGER docsbot_chunks_changed AFTER UPDATE ON docsbot_chunks
    REFERENCING OLD TABLE AS docsbot_removed NEW TABLE AS docsbot_added
    FOR EACH STATEMENT EXECUTE FUNCTION docsbot_count_terms();`;

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
  // 2: each library's document frequencies (in how many of its chunks each keyword stem is), kept
  // by triggers on the chunks table in the transaction of every change, so that a search looks up
  // its terms' idf instead of counting their chunks. Filled from the chunks already written.
  `CREATE TABLE docsbot_terms (
     library text NOT NULL,
     term text NOT NULL,
     chunks integer NOT NULL,
     PRIMARY KEY (library, term)
   );
   ${COUNT_TERMS}
   DO $$ BEGIN
     IF to_regclass('docsbot_chunks') IS NOT NULL THEN
       ${COUNTING_TRIGGERS}
       INSERT INTO docsbot_terms (library, term, chunks)
       SELECT c.library, w.lexeme, count(*) FROM docsbot_chunks c, unnest(c.tsv) w GROUP BY 1, 2;
     END IF;
   END $$;`,
  // 3: where each document comes from. 'folder': read from a library's folder by a sync, and kept
  // while that folder has it; 'discord': added with /document add, kept (with its text as written,
  // to be split again on any machine) until /document remove. A splitter of NULL: not split since
  // the chunks were dropped (--rebuild); the next sync of its library splits and embeds it.
  // A document removed with /document remove (or replaced with /document add) is remembered by
  // its exact content, so that a folder that still has that file does not bring it back.
  `ALTER TABLE docsbot_documents
     ADD COLUMN origin text NOT NULL DEFAULT 'folder' CHECK (origin IN ('folder', 'discord')),
     ADD COLUMN body text,
     ADD CHECK (origin = 'folder' OR body IS NOT NULL),
     ALTER COLUMN splitter DROP NOT NULL;
   CREATE TABLE docsbot_removed (
     library text NOT NULL,
     id text NOT NULL,
     hash text NOT NULL,
     removed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     PRIMARY KEY (library, id, hash)
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
   CREATE INDEX docsbot_chunks_tsv ON docsbot_chunks USING gin (tsv);
   ${COUNTING_TRIGGERS}`;
}

/**
 * Creates or migrates the schema and checks that the database's vectors were made with the
 * configured embeddings. Idempotent; processes starting at once take turns (an advisory lock).
 * With `reset`, every library's chunks and folder documents are dropped, the documents added from
 * Discord marked to be split again, and the embeddings recorded anew (`npm run index -- --rebuild`,
 * after a change of embeddings).
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
    // The folders' documents are read again; the ones added from Discord are kept with their text,
    // to be split and embedded again by the next sync of their library.
    await client.query("DELETE FROM docsbot_documents WHERE origin = 'folder'");
    await client.query("UPDATE docsbot_documents SET splitter = NULL, chunks = 0");
    await client.query("DELETE FROM docsbot_terms");
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
