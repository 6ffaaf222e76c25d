import { rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadCoreConfig } from "../src/config.js";
import { loadDocuments } from "../src/documents/load.js";
import { createEmbeddings } from "../src/embeddings/index.js";
import { loadIndex } from "../src/index/store.js";
import { logger } from "../src/logger.js";
import type { BotInput, BotOutput } from "./botProcess.js";
import { runInChild } from "./child.js";
import { prepareCorpus } from "./corpus.js";
import { compareWithExact } from "./exact.js";
import { measureFloors } from "./floors.js";
import { ingest } from "./ingest.js";
import type { LargeDocumentInput, LargeDocumentOutput } from "./largeDocument.js";
import { machine } from "./machine.js";
import { benchPostgres, type PostgresFigures, renderPostgres } from "./postgres.js";
import { phase } from "./progress.js";
import { drawQuestions } from "./questions.js";
import type { Results } from "./results.js";
import { runScale } from "./scale.js";
import { seeded, shuffled } from "./seeded.js";
import { latency, MB, peakRssMB } from "./stats.js";
import { renderTable } from "./table.js";
import { checkTargets } from "./targets.js";

const USAGE = `Usage: npm run bench [-- --scale] [-- --json]
  --scale  also index 10k, 100k and 1M generated chunks (takes much longer)
STORE=postgres is measured on PGlite (in this process), and also on the PostgreSQL of
DATABASE_URL when that variable is set (its docsbot_* tables are replaced).
  --json   print the results as JSON only (they are always written to bench/results.json)`;

const SEED = 20210323;
const QUESTIONS = 600;
// Questions answered at every point of the scaling run (BM25 over a million chunks is slow).
const SCALE_QUESTIONS = 200;
// One document as large as MAX_DOCUMENT_BYTES allows by default (issue 12).
const LARGE_DOCUMENT_BYTES = 5 * 1024 * 1024;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = fileURLToPath(new URL("results.json", import.meta.url));

function options() {
  try {
    return parseArgs({
      options: {
        scale: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const values = options();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!process.env.LOG_LEVEL) logger.level = "warn";

const corpus = await prepareCorpus(ROOT);
try {
  // The core's defaults (not this checkout's .env): the figures are for the bot as shipped.
  const config = loadCoreConfig({ DATA_DIR: corpus.dataDir });
  // Converts the word-vector table on the first run after `npm ci` (seconds, once).
  const loading = phase("loading the word vectors", 1);
  const embeddings = await createEmbeddings(config);
  loading.stop();
  const { documents } = await loadDocuments(config.docsDir, config.MAX_DOCUMENT_BYTES);
  const questions = drawQuestions(seeded(SEED), documents, QUESTIONS);

  const { ingestion } = await ingest(config, embeddings);
  const megabytes = corpus.bytes / MB;
  const perSecond = (ms: number) => ({
    MB: round(megabytes / (ms / 1000)),
    chunks: Math.round(ingestion.chunks / (ms / 1000)),
  });

  const index = await loadIndex(config.indexDir, embeddings.embeddings);
  const queries = await embeddings.embeddings.embedDocuments(questions.map((q) => q.text));
  const exact = await compareWithExact(index.vectors.index, queries, embeddings.embeddings);

  const bot = new URL("./botProcess.ts", import.meta.url);
  const rebuild = await runInChild<BotInput, BotOutput>(bot, {
    dataDir: corpus.dataDir,
    rebuild: true,
    questions: [],
  });
  const serve = await runInChild<BotInput, BotOutput>(bot, {
    dataDir: corpus.dataDir,
    rebuild: false,
    questions,
  });
  if (serve.rebuilt) throw new Error(`the bot process rebuilt the index: ${serve.rebuilt}`);
  const largeDocument = await runInChild<LargeDocumentInput, LargeDocumentOutput>(
    new URL("./largeDocument.ts", import.meta.url),
    { docsDir: config.docsDir, bytes: LARGE_DOCUMENT_BYTES },
  );

  // The figures that need processes of their own (command lines, the bot under a burst of /ask)
  // and the floors every figure is compared with.
  const floors = await measureFloors(corpus.dataDir, megabytes);

  const askMs = latency(serve.answers.map((answer) => answer.ms));
  const byKind: Results["answering"]["byKind"] = {};
  for (const { kind, answered } of serve.answers) {
    const counts = byKind[kind] ?? { questions: 0, answered: 0 };
    byKind[kind] = counts;
    counts.questions++;
    if (answered) counts.answered++;
  }

  let scale: Results["scale"];
  if (values.scale) {
    const sources = Array.from(
      { length: index.manifest.chunks },
      (_, label) => index.vectors.docstore.search(String(label)).pageContent,
    );
    const sample = shuffled(seeded(SEED), questions).slice(0, SCALE_QUESTIONS);
    scale = await runScale({
      seed: SEED,
      sources,
      questions: sample.map((q) => q.text),
      topK: config.TOP_K,
    });
  }
  const at100k = scale?.find((point) => point.kind === "corpus-like" && point.n === 100_000);

  // STORE=postgres: the same corpus and questions, on PGlite and on a real PostgreSQL if given.
  const postgres: (PostgresFigures | { database: string; error: string })[] = [];
  for (const url of [undefined, process.env.DATABASE_URL || undefined]) {
    if (url === undefined && postgres.length > 0) continue;
    try {
      postgres.push(
        await benchPostgres({
          dataDir: corpus.dataDir,
          questions: shuffled(seeded(SEED), questions).slice(0, SCALE_QUESTIONS),
          url,
          scale: values.scale,
          seed: SEED,
        }),
      );
    } catch (error) {
      postgres.push({ database: url ? "PostgreSQL" : "PGlite", error: (error as Error).message });
    }
  }

  const startup = {
    loadMs: {
      wordVectors: round(serve.wordVectorsMs),
      index: round(serve.openMs),
      total: round(serve.wordVectorsMs + serve.openMs),
    },
    rebuildMs: {
      wordVectors: round(rebuild.wordVectorsMs),
      index: round(rebuild.openMs),
      total: round(rebuild.wordVectorsMs + rebuild.openMs),
    },
  };
  const results: Results = {
    machine: machine(),
    date: new Date().toISOString(),
    settings: {
      seed: SEED,
      CHUNK_SIZE: config.CHUNK_SIZE,
      CHUNK_OVERLAP: config.CHUNK_OVERLAP,
      TOP_K: config.TOP_K,
      embeddings: `${embeddings.provider}:${embeddings.model}`,
      hnsw: { M: 16, efConstruction: 200, ef: exact.ef },
    },
    corpus: {
      documents: ingestion.documents,
      chunks: ingestion.chunks,
      megabytes: round(megabytes),
    },
    ingestion: {
      ms: roundAll(ingestion.ms),
      perSecond: {
        splitAndEmbed: perSecond(ingestion.ms.splitAndEmbed),
        index: perSecond(ingestion.ms.index),
        total: perSecond(ingestion.ms.total),
      },
    },
    startup,
    answering: { questions: serve.answers.length, latencyMs: askMs, byKind },
    exact,
    largeDocument,
    memory: {
      botAfterOpenRssMB: round(serve.rssAfterOpenMB),
      botPeakRssMB: round(serve.peakRssMB),
      benchPeakRssMB: round(peakRssMB()),
    },
    floors,
    targets: checkTargets({
      askP95Ms: askMs.p95,
      loadMs: startup.loadMs.total,
      botPeakRssMB: round(serve.peakRssMB),
      ingestionMB: megabytes,
      ingestionMs: ingestion.ms.total,
      largeDocumentMs: round(largeDocument.buildMs),
      exact,
      floors,
      at100k: at100k && { exact: at100k.exact, askP95Ms: at100k.answering?.answerMs.p95 },
    }),
    ...(scale ? { scale } : {}),
    postgres,
  };

  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    values.json
      ? `${JSON.stringify(results, null, 2)}\n`
      : renderTable(results) +
          renderPostgres(
            {
              askMs,
              ...(at100k?.answering ? { at100kAskP95Ms: at100k.answering.answerMs.p95 } : {}),
            },
            postgres,
          ),
  );
} finally {
  await rm(corpus.dataDir, { recursive: true, force: true });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function roundAll<T extends Record<string, number>>(values: T): T {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round(v)])) as T;
}
