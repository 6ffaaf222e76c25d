import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { answerQuestion } from "../src/answer/answer.js";
import { openAssistant } from "../src/assistant.js";
import { loadCoreConfig } from "../src/config.js";
import { type BurstResult, burst } from "./burst.js";

/** Runs of each command line timed: the median is kept (the machine may be busy meanwhile). */
const RUNS = 3;
/** How many times the corpus is copied for `npm run index`: the issue asks for 2 to 6 MB. */
const INDEX_COPIES = 3;
/** The burst of issue 10: this many /ask, spread over this many seconds. */
const BURST = { questions: 300, seconds: 1 };
/** Questions about the shipped article, asked in turn by the burst. */
const BURST_QUESTIONS = [
  "Who sponsored the resolution?",
  "Which countries co-sponsored the resolution?",
  "When was the resolution adopted?",
  "Who introduced the draft resolution?",
  "How many votes were in favour?",
];

export interface Floors {
  /** `node -e 0`: the least any command line takes. */
  bareNodeMs: number;
  /** `npm run ask -- "question"` with the persisted index. */
  cliAskMs: number;
  /** Reading the word-vector table and the persisted index's files, nothing else. */
  readIndexFilesMs: number;
  /** Reading every file of the corpus, nothing else. */
  readCorpusMs: number;
  /** `npm run index` on the corpus copied INDEX_COPIES times: megabytes and wall clock. */
  cliIndex: { megabytes: number; ms: number; readMs: number };
  /** 300 /ask in one second against the bot as `npm start` runs it, and its floor: the same
   * questions answered one after another in one process (the work the bot cannot avoid). */
  burst: BurstResult & { serialMs: number };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The wall clock of a command, the median of RUNS; fails when it does. */
function wallMs(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  runs = RUNS,
): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = spawnSync(command, args, {
      cwd: path.resolve(import.meta.dirname, ".."),
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(" ")} exited with ${result.status}: ${result.stderr}`,
      );
    }
    times.push(performance.now() - started);
  }
  return median(times);
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(full)));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

/** Milliseconds to read the files whole, the median of RUNS. */
async function readMs(files: string[]): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    for (const file of files) await readFile(file);
    times.push(performance.now() - started);
  }
  return median(times);
}

/** The figures of issue 10 that need processes of their own, and the floors they compare with. */
export async function measureFloors(dataDir: string, megabytes: number): Promise<Floors> {
  const bareNodeMs = wallMs(process.execPath, ["-e", "0"]);
  // Built before it is timed, as after `npm ci` and one first run.
  wallMs("npm", ["run", "--silent", "build"], {}, 1);
  const cliAskMs = wallMs("npm", ["run", "--silent", "ask", "--", BURST_QUESTIONS[0]], {
    DATA_DIR: dataDir,
  });
  const wordVectors = (
    await filesUnder(path.resolve(import.meta.dirname, "../node_modules/.cache/docs-qa-bot"))
  ).filter((file) => file.endsWith(".bin"));
  const index = await filesUnder(await realpath(path.join(dataDir, "index", "current")));
  const readIndexFilesMs = await readMs([...wordVectors, ...index]);
  const corpusFiles = await filesUnder(path.join(dataDir, "docs"));
  const readCorpusMs = await readMs(corpusFiles);

  const copies = await mkdtemp(path.join(os.tmpdir(), "docs-qa-bench-index-"));
  try {
    for (let copy = 0; copy < INDEX_COPIES; copy++) {
      await cp(path.join(dataDir, "docs"), path.join(copies, "docs", `copy-${copy}`), {
        recursive: true,
      });
    }
    const copiedFiles = await filesUnder(path.join(copies, "docs"));
    const cliIndex = {
      megabytes: megabytes * INDEX_COPIES,
      // One run: a build of several megabytes takes a while, and rebuilds each time anyway.
      ms: wallMs("npm", ["run", "--silent", "index"], { DATA_DIR: copies }, 1),
      readMs: await readMs(copiedFiles),
    };

    const article = await mkdtemp(path.join(os.tmpdir(), "docs-qa-bench-burst-"));
    try {
      await cp(path.resolve(import.meta.dirname, "../data/docs"), path.join(article, "docs"), {
        recursive: true,
      });
      const questions = Array.from(
        { length: BURST.questions },
        (_, i) => BURST_QUESTIONS[i % BURST_QUESTIONS.length],
      );
      const result = await burst(article, questions, BURST.seconds);
      // The floor: the same answers, one after another, in this process (index already built).
      const { assistant } = await openAssistant(loadCoreConfig({ DATA_DIR: article }));
      await answerQuestion(assistant, questions[0]);
      const started = performance.now();
      for (const question of questions) await answerQuestion(assistant, question);
      const serialMs = performance.now() - started;
      return {
        bareNodeMs,
        cliAskMs,
        readIndexFilesMs,
        readCorpusMs,
        cliIndex,
        burst: { ...result, serialMs },
      };
    } finally {
      await rm(article, { recursive: true, force: true });
    }
  } finally {
    await rm(copies, { recursive: true, force: true });
  }
}
