import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { extractDocument, type RawDocument } from "../documents/extract.js";
import { type BuildJob, type PrepareTask, prepareTask, updateIndex } from "./build.js";

// The thread of runBuild (build.ts): takes jobs, answers with their progress and outcome.
const port = parentPort;
if (!port) throw new Error("buildWorker.ts runs as a worker thread (see runBuild)");

// Builds give way to the bot's own thread when the cores are busy. On Linux a thread has a
// priority of its own (0 names the calling thread); elsewhere it would be the whole process's.
const BUILD_NICENESS = 10;
if (process.platform === "linux") {
  try {
    setPriority(0, BUILD_NICENESS);
  } catch {
    // Not allowed here: builds run at the bot's priority.
  }
}
port.on(
  "message",
  async ({
    id,
    job,
    extract,
    prepare,
  }: {
    id: number;
    job?: BuildJob;
    extract?: RawDocument;
    prepare?: PrepareTask;
  }) => {
    try {
      if (prepare) {
        port.postMessage({ id, prepared: await prepareTask(prepare) });
        return;
      }
      if (extract) {
        port.postMessage({ id, extracted: await extractDocument(extract) });
        return;
      }
      if (!job) throw new Error("neither a build nor an extraction");
      const outcome = await updateIndex(job, undefined, (...progress) =>
        port.postMessage({ id, progress }),
      );
      port.postMessage({ id, outcome });
    } catch (error) {
      const { name, message, stack } = error as Error;
      port.postMessage({ id, error: { name, message, stack } });
    }
  },
);
