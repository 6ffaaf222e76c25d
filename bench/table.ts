import type { Results } from "./results.js";
import type { ScaleOutput } from "./scaleWorker.js";
import type { Latency } from "./stats.js";

/** Rows of cells, each column padded to its widest cell; numbers right-aligned. */
function columns(rows: (string | number)[][], indent = "  "): string {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c]?.length ?? 0)));
  return cells
    .map((row) =>
      row
        .map((cell, c) =>
          /^-?[\d.,]+x?( [\w.]+)?$/.test(cell) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]),
        )
        .join("  ")
        .trimEnd(),
    )
    .map((line) => indent + line)
    .join("\n");
}

const fixed = (x: number, digits = 1) => x.toFixed(digits);
const count = (n: number) => n.toLocaleString("en");

/** The results as tables for a person, with the machine they came from. */
export function renderTable(r: Results): string {
  const { machine: m, settings: s, ingestion: i, startup, answering: a, exact: e } = r;
  const kinds = Object.entries(a.byKind).map(
    ([kind, k]) => `${kind} ${k?.answered}/${k?.questions}`,
  );
  const out = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node} (${m.platform})`,
    `Settings: CHUNK_SIZE ${s.CHUNK_SIZE}, CHUNK_OVERLAP ${s.CHUNK_OVERLAP}, TOP_K ${s.TOP_K}, ${s.embeddings}, HNSW M ${s.hnsw.M} efConstruction ${s.hnsw.efConstruction} ef ${s.hnsw.ef}`,
    "",
    `Corpus: ${r.corpus.documents} documents, ${count(r.corpus.chunks)} chunks, ${fixed(r.corpus.megabytes, 2)} MB`,
    "",
    "Ingestion (KnowledgeBase.open, rebuild)",
    columns([
      ["phase", "ms", "MB/s", "chunks/s"],
      [
        "read, split, embed (HNSW grows beside)",
        fixed(i.ms.splitAndEmbed),
        fixed(i.perSecond.splitAndEmbed.MB, 2),
        count(i.perSecond.splitAndEmbed.chunks),
      ],
      [
        "BM25, write, HNSW's last batches",
        fixed(i.ms.index),
        fixed(i.perSecond.index.MB, 2),
        count(i.perSecond.index.chunks),
      ],
      ["make it current", fixed(i.ms.persist), "", ""],
      [
        "whole build",
        fixed(i.ms.total),
        fixed(i.perSecond.total.MB, 2),
        count(i.perSecond.total.chunks),
      ],
    ]),
    "",
    `One large document (${fixed(r.largeDocument.megabytes, 2)} MB .txt, ${count(r.largeDocument.chunks)} chunks), a fresh process`,
    columns([
      ["", "ms"],
      ["segment sentences, first 200 KB", fixed(r.largeDocument.segmentMs.kb200)],
      ["segment sentences, first 1 MB", fixed(r.largeDocument.segmentMs.mb1)],
      ["segment sentences, all", fixed(r.largeDocument.segmentMs.all)],
      ["build (split, embed, HNSW + BM25)", fixed(r.largeDocument.buildMs)],
      ["KnowledgeBase.open, building it", fixed(r.largeDocument.openMs)],
    ]),
    "",
    "Start-up of a fresh process (openAssistant)",
    columns([
      ["", "word vectors ms", "index ms", "total ms"],
      [
        "load persisted index",
        fixed(startup.loadMs.wordVectors),
        fixed(startup.loadMs.index),
        fixed(startup.loadMs.total),
      ],
      [
        "full rebuild",
        fixed(startup.rebuildMs.wordVectors),
        fixed(startup.rebuildMs.index),
        fixed(startup.rebuildMs.total),
      ],
    ]),
    "",
    `Answering: ${a.questions} questions through answerQuestion, one process`,
    columns([
      ["mean ms", "p50 ms", "p95 ms", "p99 ms", "max ms"],
      [
        fixed(a.latencyMs.mean, 2),
        fixed(a.latencyMs.p50, 2),
        fixed(a.latencyMs.p95, 2),
        fixed(a.latencyMs.p99, 2),
        fixed(a.latencyMs.max, 2),
      ],
    ]),
    `  answered: ${kinds.join(", ")}`,
    "",
    `HNSW vs exact search: ${count(e.vectors)} vectors, the ${e.queries} questions as queries, k ${e.k}, ef ${e.ef}`,
    `  recall@10 ${fixed(e.recall, 3)}; mean ms: HNSW ${fixed(e.hnswMs.mean, 3)}, native scan ${fixed(e.exactMs.mean, 3)} (${e.speedup}x), MemoryVectorStore ${fixed(e.memoryStore.ms.mean, 3)} (${e.memoryStore.speedup}x)`,
    `  by ef, recall and speed-up against the native scan: ${e.sweep.map((s) => `${s.ef}: ${fixed(s.recall, 3)} ${s.speedup}x`).join(", ")}`,
    "",
    `Memory: bot process ${fixed(r.memory.botAfterOpenRssMB)} MB RSS after opening, ${fixed(r.memory.botPeakRssMB)} MB peak; benchmark process ${fixed(r.memory.benchPeakRssMB)} MB peak`,
    "",
    "Targets (the floor: what the same work cannot take less than, measured in this run)",
    columns([
      ["", "goal", "measured", "floor", "ratio", ""],
      ...r.targets.map((t) => [
        t.name,
        t.goal,
        t.value,
        t.floor,
        t.ratio,
        t.met === null ? "-" : t.met ? "met" : "MISSED",
      ]),
    ]),
  ];
  if (r.scale) out.push("", renderScale(r.scale));
  return `${out.join("\n")}\n`;
}

const QUERIES: Record<string, string> = { heldOut: "held-out", questions: "questions" };

function renderScale(points: ScaleOutput[]): string {
  const p95 = (l: Latency | undefined) => (l ? fixed(l.p95, 2) : "-");
  const comparisons = points.flatMap((p) =>
    Object.entries(p.exact).map(([queries, c]) => ({ p, queries: QUERIES[queries], c })),
  );
  return [
    "Scaling run: generated chunks (corpus-like: words drawn from the README chunks, embedded",
    "by the local embeddings; uniform: random unit vectors), indexed as the core indexes them",
    "",
    "Build and memory (s, MB)",
    columns([
      [
        "vectors",
        "kind",
        "embed",
        "HNSW",
        "BM25",
        "heap",
        "HNSW",
        "heap + HNSW",
        "RSS growth",
        "peak RSS",
      ],
      ...points.map((p) => [
        count(p.n),
        p.kind,
        fixed(p.buildMs.vectors / 1000),
        fixed(p.buildMs.hnsw / 1000),
        fixed(p.buildMs.bm25 / 1000),
        fixed(p.memory.heapMB, 0),
        fixed(p.memory.hnswMB, 0),
        fixed(p.memory.heapMB + p.memory.hnswMB, 0),
        fixed(p.memory.rssMB, 0),
        fixed(p.peakRssMB, 0),
      ]),
    ]),
    "",
    `The ask path (retrieve, fuse, answer) over ${points[0]?.answering?.answerMs.n ?? 0} of the questions, ms`,
    columns([
      ["vectors", "p50", "p95", "p99", "BM25 p95", "HNSW p95", "answered"],
      ...points.flatMap((p) =>
        p.answering
          ? [
              [
                count(p.n),
                fixed(p.answering.answerMs.p50, 2),
                p95(p.answering.answerMs),
                fixed(p.answering.answerMs.p99, 2),
                p95(p.answering.bm25Ms),
                p95(p.answering.vectorSearchMs),
                `${p.answering.answered}/${p.answering.answerMs.n}`,
              ],
            ]
          : [],
      ),
    ]),
    "",
    `HNSW (ef ${comparisons[0]?.c.ef}) against exact search, recall@10 and mean ms`,
    columns([
      [
        "vectors",
        "kind",
        "queries",
        "recall",
        "HNSW",
        "native scan",
        "speed-up",
        "MemoryVectorStore",
        "speed-up",
      ],
      ...comparisons.map(({ p, queries, c }) => [
        count(p.n),
        p.kind,
        queries,
        fixed(c.recall, 3),
        fixed(c.hnswMs.mean, 3),
        fixed(c.exactMs.mean, 3),
        `${c.speedup}x`,
        fixed(c.memoryStore.ms.mean, 1),
        `${c.memoryStore.speedup}x`,
      ]),
    ]),
    "",
    "Recall@10 and speed-up against the native scan by HNSW search breadth (ef)",
    columns([
      ["vectors", "kind", "queries", ...(comparisons[0]?.c.sweep.map((s) => `ef ${s.ef}`) ?? [])],
      ...comparisons.map(({ p, queries, c }) => [
        count(p.n),
        p.kind,
        queries,
        ...c.sweep.map((s) => `${fixed(s.recall, 3)} ${s.speedup}x`),
      ]),
    ]),
    "",
    "What the core would write to disk (JSON.stringify, as HNSWLib.save does; LexicalIndex.toBuffer)",
    ...points
      .filter((p) => p.kind === "corpus-like")
      .map(
        (p) =>
          `  ${count(p.n)}: docstore ${p.persisted.docstoreJson}, BM25 ${p.persisted.lexicalJson}`,
      ),
  ].join("\n");
}
