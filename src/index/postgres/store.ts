import { readFile } from "node:fs/promises";
import path from "node:path";
import { Document } from "@langchain/core/documents";
import pg from "pg";
import type { CoreConfig } from "../../config.js";
import { removeLeftovers } from "../../documents/leftovers.js";
import {
  documentId,
  loadDocuments,
  type SkippedFile,
  type SourceDocument,
  sourceDocument,
} from "../../documents/load.js";
import type { EmbeddingsChoice } from "../../embeddings/index.js";
import { logger } from "../../logger.js";
import { unreachable as isUnreachable, redacted } from "../../postgres/migrate.js";
import { CANDIDATES, type RetrievedChunk } from "../../retrieval/hybrid.js";
import { STOP_WORDS, stem, wordsWithParts } from "../../text/tokens.js";
import { indexSettings, runPrepare } from "../build.js";
import {
  DatabaseUnavailableError,
  NoDocumentsError,
  ReloadInProgressError,
  StoreMismatchError,
} from "../errors.js";
import { type Library, libraryFolders, libraryId } from "../library.js";
import type { DocumentChange, LibraryIndex, LibraryStore, Opened } from "../libraryStore.js";
import { INDEX_VERSION, type IndexSettings, type Manifest } from "../manifest.js";
import { contextualText, type Progress, prepareDocument } from "../store.js";
import { connect, prepareSchema, transaction } from "./schema.js";

// A search takes one connection for one statement; a change holds one for its library's lock.
// A few serve a process's questions without queueing, and leave room on a server shared by shards.
const POOL_MAX = 4;
// How long a question waits for a connection (the pool's are all busy, or the network is silent)
// before it is told the database cannot be reached; a refused connection fails at once. A burst of
// questions on a slow database waits its turn rather than failing.
const CONNECT_TIMEOUT_MS = 15_000;
// Idle connections are closed, so that a process that is done can exit.
const IDLE_MS = 10_000;
// The most chunks the keyword half scores for one question. Its candidates are the chunks with the
// question's rarest terms, taken while their document frequencies add up to no more than this (the
// rarest term always, and then any of its chunks up to this many): frequent words only rescore
// them. Scoring every chunk with a frequent word took 0.5-1 s at 100k chunks; 700 keep a search
// under 30 ms at 100k on PGlite and PostgreSQL (1000: 32-37 ms on PGlite, a little closer ranking).
const KEYWORD_ROWS = 700;
// Reciprocal rank fusion's k, as in the local retriever.
const RRF_K = 60;

/**
 * The hybrid search of STORE=postgres, one statement: the nearest chunks by cosine distance (the
 * HNSW index) and the best chunks by keywords (the GIN index; BM25's idf times PostgreSQL's term
 * frequency rank), each limited to the libraries asked, fused by reciprocal rank. A term's idf is
 * looked up in docsbot_terms (kept by triggers), not counted; the keyword half scores only the
 * chunks of the rarest terms (KEYWORD_ROWS), so a frequent word does not make it read them all.
 * $1 query vector, $2 library ids, $3 query stems, $4 candidates per half, $5 RRF k, $6 results,
 * $7 most chunks the keyword half scores.
 */
const HYBRID_SEARCH = `
WITH vec AS (
  SELECT id, row_number() OVER (ORDER BY distance) AS rank
  FROM (
    SELECT id, embedding <=> $1::vector AS distance
    FROM docsbot_chunks
    WHERE library = ANY($2::text[])
    ORDER BY embedding <=> $1::vector
    LIMIT $4
  ) nearest
),
total AS (
  SELECT greatest(coalesce(sum(chunks), 0), 1) AS n
  FROM docsbot_documents WHERE library = ANY($2::text[])
),
words AS (
  SELECT w.term, quote_literal(w.term)::tsquery AS query,
    (SELECT coalesce(sum(t.chunks), 0) FROM docsbot_terms t
     WHERE t.library = ANY($2::text[]) AND t.term = w.term) AS df
  FROM unnest(tsvector_to_array(to_tsvector('simple', array_to_string($3::text[], ' ')))) AS w(term)
),
terms AS (
  SELECT query, ln(1 + (total.n - df + 0.5) / (df + 0.5)) AS idf,
    row_number() OVER (ORDER BY df, term) AS rarity,
    sum(df) OVER (ORDER BY df, term) AS rows_so_far
  FROM words CROSS JOIN total WHERE df > 0
),
candidates AS (
  SELECT c.id, c.tsv FROM docsbot_chunks c
  WHERE c.library = ANY($2::text[])
    AND c.tsv @@ (SELECT string_agg(query::text, ' | ')::tsquery FROM terms
                  WHERE rarity = 1 OR rows_so_far <= $7)
  LIMIT $7
),
lex AS (
  SELECT id, score, row_number() OVER (ORDER BY score DESC) AS rank
  FROM (
    SELECT c.id, sum(terms.idf * ts_rank(c.tsv, terms.query, 1)) AS score
    FROM candidates c JOIN terms ON c.tsv @@ terms.query
    GROUP BY c.id
    ORDER BY score DESC
    LIMIT $4
  ) best
)
SELECT c.library, c.content, c.metadata,
  (coalesce(1.0 / ($5 + vec.rank), 0) + coalesce(1.0 / ($5 + lex.rank), 0))::float8 AS score,
  (1 - (c.embedding <=> $1::vector))::float8 AS similarity,
  coalesce(lex.score, 0)::float8 AS bm25
FROM vec FULL JOIN lex USING (id)
JOIN docsbot_chunks c ON c.id = coalesce(vec.id, lex.id)
ORDER BY score DESC, similarity DESC
LIMIT $6`;

/** Where a document comes from: a library's folder, or /document add (kept with its text). */
type Origin = "folder" | "discord";

interface StoredRow {
  id: string;
  hash: string;
  /** Null: not split since --rebuild dropped the chunks. */
  splitter: string | null;
  origin: Origin;
}

/** A document a sync writes when its row differs: where it comes from, and its text as written. */
interface Wanted {
  doc: SourceDocument;
  origin: Origin;
  /** The text kept for a document added from Discord. */
  body?: string;
  /** Whether it was read from this machine's folder. */
  folder: boolean;
  /** The hash of the content it replaces from Discord, kept out of the folders that have it. */
  replaces?: string;
}

// Why a folder's file is not indexed: it was removed with /document remove, or replaced with
// /document add (on any machine), and this folder still has the very file it was (the machine
// that added it, or every machine for a shipped file). A file changed since is read.
const FORGOTTEN_REASON =
  "removed with /document remove or replaced with /document add: this copy is out of date; delete it from this folder";

/** The keyword stems of a text, as the local BM25 index makes them, letters and digits only. */
export function stems(text: string): string[] {
  return wordsWithParts(text)
    .filter((word) => !STOP_WORDS.has(word))
    .map((word) => stem(word).replace(/[^\p{L}\p{N}]+/gu, ""))
    .filter(Boolean);
}

/**
 * Libraries in PostgreSQL with pgvector (STORE=postgres): every process and machine reads the
 * same tables, so a change committed by one is answered by all. The folders' documents are read
 * from the libraries' folders; the ones added from Discord are kept in the database with their
 * text. A change writes only the documents whose content changed, one transaction each.
 */
export class PostgresLibraryStore implements LibraryStore {
  readonly keepsDocuments = true;
  private readonly pool: pg.Pool;
  private ready: Promise<IndexSettings> | undefined;

  constructor(
    private readonly config: CoreConfig,
    private readonly choice: EmbeddingsChoice,
    /** Whether documents are embedded on this thread, with embeddings the caller gave. */
    private readonly ownEmbeddings: boolean,
    /** Drop every library's vectors and record the configured embeddings (`--rebuild`). */
    private readonly reset = false,
  ) {
    this.pool = new pg.Pool({
      connectionString: config.DATABASE_URL,
      max: POOL_MAX,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_MS,
      allowExitOnIdle: true,
    });
    // An idle connection the server dropped: the pool replaces it at the next query.
    this.pool.on("error", (error) => logger.warn({ err: error }, "database connection lost"));
  }

  /** The schema, created or migrated once per process, and the settings chunks are made with. */
  private prepare(): Promise<IndexSettings> {
    this.ready ??= (async () => {
      const settings = await indexSettings(this.config, this.choice);
      await this.guard(() => prepareSchema(this.pool, settings.embeddings, this.reset));
      return settings;
    })();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  async open(
    library: Library,
    options: { onProgress?: Progress; rebuild?: boolean } = {},
  ): Promise<Opened> {
    await this.prepare();
    // A server's library is read as the database has it: its folder may be on another machine.
    // The shared documents ship with every process, and are brought up to date at start.
    if (library.kind === "guild" && !options.rebuild) {
      const index = await this.load(library, []);
      if (index.manifest.documents.length > 0) {
        if (!(await this.unsplit(library))) return { index, outcome: { skipped: [] } };
        // Documents to split again (the splitter changed, or --rebuild dropped their chunks): the
        // ones added from Discord from their text; the folder's are left to that folder's machine.
        return this.sync(library, {
          wait: true,
          onProgress: options.onProgress,
          keepMissing: true,
        });
      }
    }
    return this.sync(library, { wait: true, onProgress: options.onProgress });
  }

  rebuild(library: Library, onProgress?: Progress, change: DocumentChange = {}): Promise<Opened> {
    return this.sync(library, { wait: false, onProgress, change });
  }

  async documents(library: Library): Promise<SourceDocument[]> {
    await this.prepare();
    const id = libraryId(library);
    const { docsDir } = libraryFolders(this.config, library);
    const { documents } = await loadDocuments(docsDir, this.config.MAX_DOCUMENT_BYTES);
    const [{ rows }, forgotten] = await this.guard(() =>
      Promise.all([
        this.pool.query<{ id: string; source: string; hash: string; body: string | null }>(
          "SELECT id, source, hash, body FROM docsbot_documents WHERE library = $1",
          [id],
        ),
        this.forgotten(this.pool, id),
      ]),
    );
    const stored = new Map(rows.map((row) => [row.id, row.hash]));
    // A file removed or replaced from Discord is not in the library, though this folder has it.
    const here = documents.filter(
      (doc) => stored.get(doc.id) === doc.hash || !forgotten.has(forgottenKey(doc)),
    );
    const ids = new Set(here.map((doc) => doc.id));
    const elsewhere = await Promise.all(
      rows
        .filter((row) => row.body !== null && !ids.has(row.id))
        .map((row) => sourceDocument(row.source, row.body ?? "", row.hash)),
    );
    return [...here, ...elsewhere];
  }

  async refresh(library: Library, builtAt: string | undefined): Promise<LibraryIndex | undefined> {
    const changedAt = await this.changedAt(library);
    if (changedAt === builtAt) return undefined;
    return this.load(library, []);
  }

  async search(query: string, indexes: LibraryIndex[]): Promise<RetrievedChunk[]> {
    if (indexes.length === 0) return [];
    const vector = await this.choice.embeddings.embedQuery(query);
    const k = this.config.TOP_K;
    const { rows } = await this.guard(() =>
      this.pool.query<{
        library: string;
        content: string;
        metadata: RetrievedChunk["metadata"];
        score: number;
        similarity: number;
        bm25: number;
      }>(HYBRID_SEARCH, [
        toVector(vector),
        indexes.map((index) => libraryId(index.library)),
        [...new Set(stems(query))],
        Math.max(CANDIDATES, k),
        RRF_K,
        k,
        KEYWORD_ROWS,
      ]),
    );
    return rows.map((row) => {
      const kind = row.library === "shared" ? "shared" : "guild";
      const metadata = { ...row.metadata, score: row.score, similarity: row.similarity };
      return new Document({
        pageContent: row.content,
        metadata: {
          ...metadata,
          bm25: row.bm25,
          library: kind,
          // As the local store marks them: a server's file named as a shared one stays apart.
          ...(kind === "guild" ? { documentId: `server:${metadata.documentId}` } : {}),
        },
      });
    });
  }

  async close(): Promise<void> {
    // Closing twice (a shutdown that races another) is not an error.
    if (!this.pool.ending) await this.pool.end();
  }

  /**
   * Brings a library's rows up to date with its folder and with a change made from Discord: each
   * new or changed document (by content hash) is split, embedded and written in one transaction,
   * each removed one deleted in one, so that every process answers from each change as soon as it
   * commits. The folder's documents follow the folder (unless `keepMissing`: the folder may be on
   * another machine); the ones added from Discord stay until removed from Discord, and are split
   * again from their text when this machine's folder lacks them. One change of a library at a time
   * across processes (an advisory lock): another waits (`wait`) or fails with
   * ReloadInProgressError.
   */
  private async sync(
    library: Library,
    options: {
      wait: boolean;
      onProgress?: Progress | undefined;
      change?: DocumentChange;
      keepMissing?: boolean;
    },
  ): Promise<Opened> {
    const { wait, onProgress, change = {}, keepMissing = false } = options;
    const settings = await this.prepare();
    const id = libraryId(library);
    const { docsDir } = libraryFolders(this.config, library);
    await removeLeftovers(docsDir);
    const loaded = await loadDocuments(docsDir, this.config.MAX_DOCUMENT_BYTES);
    const skipped = [...loaded.skipped];

    const client = await this.guard(() => connect(this.pool));
    const key = `docsbot:${id}`;
    try {
      if (wait) await client.query("SELECT pg_advisory_lock(hashtext($1))", [key]);
      else {
        const { rows } = await client.query<{ locked: boolean }>(
          "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
          [key],
        );
        if (!rows[0].locked) throw new ReloadInProgressError();
      }
      try {
        const previous = await this.manifest(library, client);
        const splitter = JSON.stringify(settings.splitter);
        const stored = new Map(
          (
            await client.query<StoredRow>(
              "SELECT id, hash, splitter, origin FROM docsbot_documents WHERE library = $1",
              [id],
            )
          ).rows.map((row) => [row.id, row]),
        );
        const gone = change.removed === undefined ? undefined : documentId(change.removed);
        const forgotten = await this.forgotten(client, id);
        const wanted = new Map<string, Wanted>();
        for (const doc of loaded.documents) {
          if (doc.id === gone) continue;
          const row = stored.get(doc.id);
          if (row?.hash !== doc.hash && forgotten.has(forgottenKey(doc))) {
            skipped.push({ source: doc.source, reason: FORGOTTEN_REASON });
            continue;
          }
          wanted.set(doc.id, { doc, origin: row?.origin ?? "folder", folder: true });
        }
        if (change.added) {
          const { source, content } = change.added;
          const doc = await sourceDocument(source, content);
          const before = stored.get(doc.id)?.hash;
          wanted.set(doc.id, {
            doc,
            origin: "discord",
            body: content,
            folder: false,
            ...(before && before !== doc.hash ? { replaces: before } : {}),
          });
        }
        // Added from Discord, not in this machine's folder: kept, split again from their text
        // when their chunks are not the current splitter's.
        const elsewhere = [...stored.values()].filter(
          (row) => row.origin === "discord" && !wanted.has(row.id) && row.id !== gone,
        );
        for (const row of elsewhere.filter((row) => row.splitter !== splitter)) {
          const { source, body } = await this.body(client, id, row.id);
          const doc = await sourceDocument(source, body, row.hash);
          wanted.set(doc.id, { doc, origin: "discord", body, folder: false });
        }
        for (const file of skipped)
          logger.warn({ file: file.source, reason: file.reason }, "document skipped");
        if (wanted.size + elsewhere.length === 0 && library.kind === "shared")
          throw new NoDocumentsError(docsDir, skipped);

        const changed = [...wanted.values()].filter(({ doc, origin }) => {
          const row = stored.get(doc.id);
          return (
            !row || row.hash !== doc.hash || row.splitter !== splitter || row.origin !== origin
          );
        });
        const removed = [...stored.values()]
          .filter((row) =>
            row.id === gone ? true : row.origin === "folder" && !keepMissing && !wanted.has(row.id),
          )
          .map((row) => row.id);
        let done = 0;
        for (const target of changed) {
          // A Discord-added document changed in this folder keeps its origin, with its new text.
          if (target.origin === "discord" && target.folder)
            target.body = await readFile(path.join(docsDir, target.doc.source), "utf8");
          await this.write(client, id, target, settings, splitter);
          onProgress?.("index", ++done, changed.length);
        }
        for (const doc of removed) {
          await transaction(client, async () => {
            await client.query("DELETE FROM docsbot_documents WHERE library = $1 AND id = $2", [
              id,
              doc,
            ]);
            // Removed from Discord: the folder of the machine that added it still has the file.
            if (doc === gone)
              await client.query(
                `INSERT INTO docsbot_removed (library, id, hash) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING`,
                [id, doc, stored.get(doc)?.hash],
              );
            await this.touch(client, id);
          });
        }
        const index = await this.load(library, skipped, client);
        const rebuilt =
          changed.length || removed.length
            ? `${changed.length} document(s) written, ${removed.length} removed`
            : undefined;
        return { index, outcome: { skipped, previous, ...(rebuilt ? { rebuilt } : {}) } };
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtext($1))", [key]);
      }
    } catch (error) {
      throw unreachable(error) ? this.unavailable(error) : error;
    } finally {
      client.release();
    }
  }

  /** Whether any of the library's documents was split otherwise than the splitter splits now. */
  private async unsplit(library: Library): Promise<boolean> {
    const settings = await this.prepare();
    const { rows } = await this.guard(() =>
      this.pool.query<{ unsplit: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM docsbot_documents
           WHERE library = $1 AND splitter IS DISTINCT FROM $2) AS unsplit`,
        [libraryId(library), JSON.stringify(settings.splitter)],
      ),
    );
    return rows[0].unsplit;
  }

  /** The text of a document added from Discord, as written. */
  private async body(
    client: pg.PoolClient,
    library: string,
    id: string,
  ): Promise<{ source: string; body: string }> {
    const { rows } = await client.query<{ source: string; body: string }>(
      "SELECT source, body FROM docsbot_documents WHERE library = $1 AND id = $2",
      [library, id],
    );
    return rows[0];
  }

  /** The documents removed from Discord, by id and content hash ("id\nhash"). */
  private async forgotten(client: pg.Pool | pg.PoolClient, library: string): Promise<Set<string>> {
    const { rows } = await client.query<{ id: string; hash: string }>(
      "SELECT id, hash FROM docsbot_removed WHERE library = $1",
      [library],
    );
    return new Set(rows.map(forgottenKey));
  }

  /** One document's chunks, replacing its previous ones, in one transaction. */
  private async write(
    client: pg.PoolClient,
    library: string,
    { doc, origin, body, replaces }: Wanted,
    settings: IndexSettings,
    splitter: string,
  ): Promise<void> {
    // In the build thread with the configured embeddings; on this one with the caller's.
    const { chunks, vectors } = this.ownEmbeddings
      ? await prepareDocument(doc, this.choice.embeddings, settings)
      : await runPrepare(this.config, doc, settings);
    await transaction(client, async () => {
      await client.query("DELETE FROM docsbot_documents WHERE library = $1 AND id = $2", [
        library,
        doc.id,
      ]);
      await client.query(
        `INSERT INTO docsbot_documents
           (library, id, source, title, date, hash, splitter, chunks, origin, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          library,
          doc.id,
          doc.source,
          doc.title,
          doc.date ?? null,
          doc.hash,
          splitter,
          chunks.length,
          origin,
          origin === "discord" ? body : null,
        ],
      );
      await client.query(
        `INSERT INTO docsbot_chunks (library, document_id, chunk, content, metadata, terms, embedding)
         SELECT $1, $2, u.chunk, u.content, u.metadata::jsonb, u.terms, u.embedding::vector
         FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS u(chunk, content, metadata, terms, embedding)`,
        [
          library,
          doc.id,
          chunks.map((chunk) => chunk.metadata.chunk),
          chunks.map((chunk) => chunk.pageContent),
          chunks.map((chunk) => JSON.stringify(chunk.metadata)),
          chunks.map((chunk) => stems(contextualText(chunk)).join(" ")),
          vectors.map(toVector),
        ],
      );
      // Added again: no longer one to keep out of the folders; the content it replaces is.
      if (origin === "discord")
        await client.query(
          "DELETE FROM docsbot_removed WHERE library = $1 AND id = $2 AND hash = $3",
          [library, doc.id, doc.hash],
        );
      if (replaces)
        await client.query(
          `INSERT INTO docsbot_removed (library, id, hash) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING`,
          [library, doc.id, replaces],
        );
      await this.touch(client, library);
    });
  }

  /** Marks the library changed, in the transaction of the change. */
  private async touch(client: pg.PoolClient, library: string): Promise<void> {
    await client.query(
      `INSERT INTO docsbot_libraries (library) VALUES ($1)
       ON CONFLICT (library) DO UPDATE SET changed_at = clock_timestamp()`,
      [library],
    );
  }

  private async changedAt(
    library: Library,
    client: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<string | undefined> {
    const { rows } = await this.guard(() =>
      client.query<{ changed_at: Date }>(
        "SELECT changed_at FROM docsbot_libraries WHERE library = $1",
        [libraryId(library)],
      ),
    );
    return rows[0]?.changed_at.toISOString();
  }

  /** The library as the database has it now, in the shape of a local index's manifest. */
  private async manifest(
    library: Library,
    client: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<Manifest> {
    const settings = await this.prepare();
    const { rows } = await this.guard(() =>
      client.query<{
        id: string;
        source: string;
        title: string;
        date: string | null;
        hash: string;
        chunks: number;
      }>(
        "SELECT id, source, title, date, hash, chunks FROM docsbot_documents WHERE library = $1 ORDER BY id",
        [libraryId(library)],
      ),
    );
    return {
      version: INDEX_VERSION,
      ...settings,
      builtAt: (await this.changedAt(library, client)) ?? new Date(0).toISOString(),
      buildMs: 0,
      chunks: rows.reduce((sum, row) => sum + row.chunks, 0),
      documents: rows.map(({ date, ...row }) => ({ ...row, ...(date ? { date } : {}) })),
    };
  }

  private async load(
    library: Library,
    skipped: SkippedFile[],
    client?: pg.PoolClient,
  ): Promise<LibraryIndex> {
    const manifest = await this.manifest(library, client);
    const index: LibraryIndex = {
      library,
      manifest,
      skipped,
      search: (query) => this.search(query, [index]),
    };
    return index;
  }

  /** Runs a database call; a database that cannot be reached becomes DatabaseUnavailableError. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StoreMismatchError) throw error;
      throw unreachable(error) ? this.unavailable(error) : error;
    }
  }

  private unavailable(error: unknown): DatabaseUnavailableError {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return new DatabaseUnavailableError(
      `Cannot reach the database at DATABASE_URL (${redacted(this.config.DATABASE_URL ?? "")}): ${reason}. Check DATABASE_URL and that PostgreSQL is running.`,
      { cause: error },
    );
  }
}

function unreachable(error: unknown): boolean {
  return !(error instanceof DatabaseUnavailableError) && isUnreachable(error);
}

/** How a removed document is remembered: its id and the hash of its content. */
function forgottenKey({ id, hash }: { id: string; hash: string }): string {
  return `${id}\n${hash}`;
}

function toVector(vector: number[]): string {
  return `[${vector.join(",")}]`;
}
