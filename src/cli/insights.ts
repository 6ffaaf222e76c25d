import "../env.js";
import { loadCoreConfig, MAXIMA } from "../config.js";
import { createEmbeddings } from "../embeddings/index.js";
import { openHistory } from "../history/index.js";
import { SHARED } from "../index/library.js";
import { createLibraryStore } from "../index/libraryStore.js";
import { insightsJson, insightsText } from "../insights/format.js";
import { insightsReport } from "../insights/report.js";
import { parseCommandLine, runCli, UsageError } from "./run.js";

const USAGE = `Usage: npm run insights -- [--days N] [--guild ID] [--json]
What members asked (from the record of use: under DATA_DIR, or in DATABASE_URL with
STORE=postgres), what the documents miss, the answers with a thumbs down and the documents cited:
the report /insights shows.
  --days N     the last N days (default 30)
  --guild ID   one server only (default: every server)
  --json       one JSON object instead of text
Exit codes: 0 printed, 1 an error, 2 a wrong command line.`;

const DEFAULT_DAYS = 30;

runCli(async () => {
  const { values, positionals } = parseCommandLine({
    options: {
      days: { type: "string" },
      guild: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length) throw new UsageError(`Unexpected argument: ${positionals[0]}.`);
  const days = values.days === undefined ? DEFAULT_DAYS : Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > MAXIMA.HISTORY_DAYS) {
    throw new UsageError(`--days must be a whole number from 1 to ${MAXIMA.HISTORY_DAYS}.`);
  }
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) {
    throw new UsageError("--guild must be a server id (17 to 20 digits).");
  }
  const config = loadCoreConfig();
  const history = openHistory(config);
  try {
    // The shared documents as the store has them indexed now (none when it was never built),
    // without building anything; the embeddings of that index.
    const choice = await createEmbeddings(config);
    const store = createLibraryStore(config, choice, true);
    let documents: string[];
    try {
      const index = await store.refresh(SHARED, undefined);
      documents = index?.manifest.documents.map((doc) => doc.source) ?? [];
    } finally {
      await store.close();
    }
    const report = await insightsReport(history, {
      guildId: values.guild,
      days,
      documents,
      embed: (texts) => choice.embeddings.embedDocuments(texts),
      historyDays: config.HISTORY_DAYS,
    });
    process.stdout.write(`${values.json ? insightsJson(report) : insightsText(report)}\n`);
  } finally {
    await history.close();
  }
}, USAGE);
