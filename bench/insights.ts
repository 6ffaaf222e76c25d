/**
 * The record of use and the insights report at a busy server's size: how long a write takes
 * (it runs on the event loop's thread, after the reply), how long /insights takes over a month
 * of questions, and the chart. `npx tsx bench/insights.ts [questions]` (default 10,000); with
 * STORE=postgres and DATABASE_URL set, the record in that database (as openHistory chooses).
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadCoreConfig } from "../src/config.js";
import { LocalEmbeddings } from "../src/embeddings/local.js";
import { openHistory } from "../src/history/index.js";
import { questionsChart } from "../src/insights/chart.js";
import { insightsReport } from "../src/insights/report.js";
import { logger } from "../src/logger.js";
import { seeded } from "./seeded.js";
import { latency } from "./stats.js";

logger.level = "warn";
const QUESTIONS = Number(process.argv[2] ?? 10_000);
const DAYS = 30;
const DAY_MS = 86_400_000;
const GUILD = "100000000000000001";
const TOPICS = [
  "parking",
  "ferry",
  "mooring",
  "fees",
  "opening hours",
  "the resolution",
  "vaccines",
];
const FORMS = [
  "What is {t}?",
  "Tell me about {t}",
  "How much are {t}?",
  "When is {t}?",
  "Who decides {t}?",
];

const dir = await mkdtemp(path.join(tmpdir(), "bench-insights-"));
const config = loadCoreConfig({ ...process.env, DATA_DIR: dir, HISTORY_DAYS: "90" });
const file = config.historyFile;
const history = openHistory(config);
const random = seeded(20261203);
const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
const now = Date.now();

const writes: number[] = [];
for (let i = 0; i < QUESTIONS; i++) {
  const topic = `${pick(TOPICS)} ${Math.floor(random() * 40)}`;
  const answered = random() < 0.7;
  const started = performance.now();
  await history.record({
    id: `q${i}`,
    at: new Date(now - random() * DAYS * DAY_MS),
    guildId: GUILD,
    channelId: "200000000000000001",
    userId: String(300000000000000000n + BigInt(i % 500)),
    question: pick(FORMS).replace("{t}", topic),
    answer: "An answer quoting the documents [1].",
    answered,
    mode: "extractive",
    ms: 5 + random() * 20,
    sources: answered ? [`doc-${Math.floor(random() * 50)}.txt`] : [],
  });
  writes.push(performance.now() - started);
  if (random() < 0.1)
    await history.vote(`q${i}`, "400000000000000001", random() < 0.5 ? "up" : "down", new Date());
}
const embeddings = await LocalEmbeddings.create();
const reportStarted = performance.now();
const report = await insightsReport(history, {
  guildId: GUILD,
  days: DAYS,
  documents: Array.from({ length: 60 }, (_, i) => `doc-${i}.txt`),
  embed: (texts) => embeddings.embedDocuments(texts),
  historyDays: 90,
});
const reportMs = performance.now() - reportStarted;
const chartStarted = performance.now();
const png = await questionsChart(report.perDay);
const chartMs = performance.now() - chartStarted;
const purgeStarted = performance.now();
await history.purge(new Date(now + 80 * DAY_MS));
const purgeMs = performance.now() - purgeStarted;
await history.close();
const size = config.STORE === "local" ? (await stat(file)).size : undefined;
const write = latency(writes);
process.stdout.write(
  `${JSON.stringify(
    {
      questions: QUESTIONS,
      store: config.STORE,
      fileKB: size === undefined ? undefined : Math.round(size / 1024),
      writeMs: { p50: write.p50, p95: write.p95, max: write.max },
      reportMs: Math.round(reportMs),
      gaps: report.gaps.length,
      chartMs: Math.round(chartMs),
      chartKB: Math.round(png.length / 1024),
      purgeMs: Math.round(purgeMs),
    },
    null,
    2,
  )}\n`,
);
await rm(dir, { recursive: true, force: true });
