// The thread of GraphBuilder (graph.ts): inserts the vectors it is sent into an HNSW graph, in the
// order sent, then writes the graph to a file. Plain JavaScript, so that it starts at once under
// tsx and vitest as well as from the bundle (scripts/launch.mjs).
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

// Required, not imported: an import of a CommonJS module has Node lex its source for its exports,
// and this thread's fresh engine compiled that lexer anew (a tenth of a second of CPU) every build.
const hnswlib = createRequire(import.meta.url)("hnswlib-node");

// Its priority is that of the thread that starts it (Linux threads inherit it): the build
// thread's, which gives way to the bot's own thread, or a command's, which does not need to.
const { space, dimensions } = workerData;
const graph = new hnswlib.HierarchicalNSW(space, dimensions);
let count = 0;

parentPort.on("message", async (message) => {
  try {
    if (message.vectors) {
      const vectors = message.vectors;
      const added = vectors.length / dimensions;
      // hnswlib's defaults (M 16, efConstruction 200, seed 100), as LangChain's HNSWLib uses them:
      // the same vectors in the same order make the same graph, whatever room it was given.
      // It grows by doubling: each growth copies the whole graph.
      if (count === 0) graph.initIndex(added);
      else if (count + added > graph.getMaxElements())
        graph.resizeIndex(Math.max(count + added, 2 * graph.getMaxElements()));
      for (let i = 0; i < added; i++) {
        graph.addPoint(Array.from(vectors.subarray(i * dimensions, (i + 1) * dimensions)), count);
        count++;
      }
    } else if (message.write) {
      await graph.writeIndex(message.write);
      parentPort.postMessage({ written: count });
    }
  } catch (error) {
    parentPort.postMessage({ error: { message: error.message, stack: error.stack } });
  }
});
