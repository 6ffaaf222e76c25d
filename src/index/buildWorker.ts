import { parentPort } from "node:worker_threads";
import { type BuildJob, updateIndex } from "./build.js";

// The thread of runBuild (build.ts): takes jobs, answers with their progress and outcome.
const port = parentPort;
if (!port) throw new Error("buildWorker.ts runs as a worker thread (see runBuild)");
port.on("message", async ({ id, job }: { id: number; job: BuildJob }) => {
  try {
    const outcome = await updateIndex(job, undefined, (...progress) =>
      port.postMessage({ id, progress }),
    );
    port.postMessage({ id, outcome });
  } catch (error) {
    const { name, message, stack } = error as Error;
    port.postMessage({ id, error: { name, message, stack } });
  }
});
