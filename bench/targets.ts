import type { ExactComparison } from "./exact.js";
import type { Floors } from "./floors.js";

export interface Target {
  name: string;
  goal: string;
  value: string;
  /** What the figure is compared with, measured in the same run, so that it means something on
   * another machine: a bare `node` start, reading the files, an exact scan. */
  floor: string;
  /** The figure over its floor (times for times; for rates, the floor's rate over the figure). */
  ratio: string;
  met: boolean | null;
}

export interface Measured {
  askP95Ms: number;
  loadMs: number;
  botPeakRssMB: number;
  ingestionMB: number;
  ingestionMs: number;
  /** The build of one 5 MB .txt's index (split, embed, HNSW + BM25), as its manifest records it. */
  largeDocumentMs: number;
  exact: ExactComparison;
  floors: Floors;
  /** At 100k chunks, when the scaling run was made: HNSW against exact search, the answer path. */
  at100k?: { exact: { heldOut: ExactComparison; questions?: ExactComparison }; askP95Ms?: number };
}

const ms = (x: number) => `${Math.round(x)} ms`;
const perSecond = (megabytes: number, time: number) => megabytes / (time / 1000);
const mbps = (megabytes: number, time: number) => `${perSecond(megabytes, time).toFixed(2)} MB/s`;
const times = (x: number, floor: number) => `${(x / floor).toFixed(1)}x`;

interface Row {
  name: string;
  goal: string;
  /** undefined: not measured in this run. */
  value?: string;
  floor?: string;
  ratio?: string;
  met?: boolean;
}

function target({ name, goal, value, floor = "", ratio = "", met }: Row): Target {
  return value === undefined
    ? { name, goal, value: "run --scale", floor, ratio, met: null }
    : { name, goal, value, floor, ratio, met: met ?? null };
}

/** The targets, each with the measured value, its floor and whether it holds. */
export function checkTargets(m: Measured): Target[] {
  const f = m.floors;
  const { heldOut, questions } = m.at100k?.exact ?? {};
  const ask100k = m.at100k?.askP95Ms;
  const exact100k = questions ?? heldOut;
  return [
    target({
      name: "npm run ask, one question, persisted index (wall clock)",
      goal: "<= 1500 ms",
      value: ms(f.cliAskMs),
      floor: `bare node start ${ms(f.bareNodeMs)}`,
      ratio: times(f.cliAskMs, f.bareNodeMs),
      met: f.cliAskMs <= 1500,
    }),
    target({
      name: "open persisted index + word vectors",
      goal: "<= 300 ms",
      value: ms(m.loadMs),
      floor: `reading their files ${ms(f.readIndexFilesMs)}`,
      ratio: times(m.loadMs, f.readIndexFilesMs),
      met: m.loadMs <= 300,
    }),
    target({
      name: `ingestion, in-process, bench corpus (${m.ingestionMB.toFixed(2)} MB)`,
      goal: ">= 3 MB/s",
      value: mbps(m.ingestionMB, m.ingestionMs),
      floor: `reading the files ${mbps(m.ingestionMB, f.readCorpusMs)}`,
      ratio: times(m.ingestionMs, f.readCorpusMs),
      met: perSecond(m.ingestionMB, m.ingestionMs) >= 3,
    }),
    target({
      name: `npm run index, ${f.cliIndex.megabytes.toFixed(1)} MB (wall clock)`,
      goal: ">= 2 MB/s",
      value: mbps(f.cliIndex.megabytes, f.cliIndex.ms),
      floor: `reading the files ${mbps(f.cliIndex.megabytes, f.cliIndex.readMs)}`,
      ratio: times(f.cliIndex.ms, f.cliIndex.readMs),
      met: perSecond(f.cliIndex.megabytes, f.cliIndex.ms) >= 2,
    }),
    target({
      name: "ask path p95 (README corpus)",
      goal: "<= 30 ms",
      value: `${m.askP95Ms.toFixed(1)} ms`,
      floor: `exact vector scan p95 ${m.exact.exactMs.p95.toFixed(2)} ms`,
      ratio: times(m.askP95Ms, m.exact.exactMs.p95),
      met: m.askP95Ms <= 30,
    }),
    target({
      name: "ask path p95, 100k chunks",
      goal: "<= 30 ms",
      value: ask100k === undefined ? undefined : `${ask100k.toFixed(1)} ms`,
      floor: exact100k ? `exact vector scan p95 ${exact100k.exactMs.p95.toFixed(2)} ms` : "",
      ratio: ask100k !== undefined && exact100k ? times(ask100k, exact100k.exactMs.p95) : "",
      met: ask100k !== undefined && ask100k <= 30,
    }),
    target({
      name: `${f.burst.questions} /ask in ${f.burst.seconds} s: p95 to the final answer`,
      goal: "<= 1500 ms",
      value: `${ms(f.burst.finalMs.p95)} (${f.burst.inResponse} in the response, ${f.burst.failed} lost)`,
      floor: `the ${f.burst.questions} answers in a row ${ms(f.burst.serialMs)}`,
      ratio: times(f.burst.finalMs.p95, f.burst.serialMs),
      met: f.burst.finalMs.p95 <= 1500 && f.burst.failed === 0,
    }),
    target({
      name: "peak RSS of the bot process",
      goal: "<= 400 MB",
      value: `${m.botPeakRssMB} MB`,
      met: m.botPeakRssMB <= 400,
    }),
    target({
      name: "HNSW recall@10, 100k, held-out vectors",
      goal: ">= 0.98",
      value: heldOut ? String(heldOut.recall) : undefined,
      met: (heldOut?.recall ?? 0) >= 0.98,
    }),
    target({
      name: "HNSW recall@10, 100k, questions",
      goal: ">= 0.98",
      value: questions ? String(questions.recall) : undefined,
      met: (questions?.recall ?? 0) >= 0.98,
    }),
    target({
      name: "HNSW speed-up, 100k, vs native scan",
      goal: ">= 10x",
      value: heldOut ? `${heldOut.speedup}x` : undefined,
      met: (heldOut?.speedup ?? 0) >= 10,
    }),
    target({
      name: "one 5 MB .txt: index build (split, embed, HNSW + BM25)",
      goal: "<= 5000 ms",
      value: ms(m.largeDocumentMs),
      met: m.largeDocumentMs <= 5000,
    }),
  ];
}
