import { Worker } from "node:worker_threads";

// Plain JavaScript beside this module, and beside the bundle's chunks (scripts/launch.mjs).
const GRAPH_WORKER = new URL("./graphWorker.mjs", import.meta.url);

/**
 * Builds an HNSW graph on a thread of its own, from vectors sent as they are embedded: inserting
 * into the graph is the longest part of a build, and it runs beside the splitting, embedding and
 * keyword indexing of the calling thread instead of after them. The graph is the one LangChain's
 * HNSWLib builds from the same vectors (hnswlib's defaults, the same order).
 */
export class GraphBuilder {
  private thread: Worker | undefined;
  private failure: Error | undefined;
  private sent = 0;

  constructor(private readonly dimensions: number) {}

  /**
   * The graph's thread, started with the first vectors: not while the first batch is embedded
   * (a thread's start takes CPU, and an embedding service's answer is timed).
   */
  private get worker(): Worker {
    if (!this.thread) {
      const worker = new Worker(GRAPH_WORKER, {
        workerData: { space: "cosine", dimensions: this.dimensions },
        // Plain JavaScript: none of the process's loaders (tsx's, which the thread would
        // otherwise load and send each of its imports through).
        execArgv: [],
      });
      worker.on("error", (error) => {
        this.failure ??= error;
      });
      worker.on("message", (message: { error?: { message: string } }) => {
        if (message.error) this.failure ??= new Error(`HNSW graph: ${message.error.message}`);
      });
      this.thread = worker;
    }
    return this.thread;
  }

  /** Adds vectors with the next labels (0, 1, 2… in the order added). */
  add(vectors: number[][]): void {
    if (vectors.length === 0) return;
    const flat = new Float32Array(vectors.length * this.dimensions);
    vectors.forEach((vector, i) => {
      if (vector.length !== this.dimensions)
        throw new Error(`a vector of ${vector.length} dimensions in a graph of ${this.dimensions}`);
      flat.set(vector, i * this.dimensions);
    });
    this.worker.postMessage({ vectors: flat }, [flat.buffer]);
    this.sent += vectors.length;
  }

  /** Waits for every vector to be inserted, writes the graph to the file, and ends the thread. */
  async write(file: string): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      const written = await new Promise<number>((resolve, reject) => {
        this.worker.on("message", (message: { written?: number; error?: { message: string } }) => {
          if (message.written !== undefined) resolve(message.written);
          else if (message.error) reject(new Error(`HNSW graph: ${message.error.message}`));
        });
        this.worker.once("error", reject);
        this.worker.once("exit", (code) =>
          reject(new Error(`the HNSW graph's thread stopped (exit code ${code})`)),
        );
        this.worker.postMessage({ write: file });
      });
      if (written !== this.sent) throw new Error(`HNSW graph: ${written} of ${this.sent} vectors`);
    } finally {
      await this.close();
    }
  }

  /** Ends the thread (a build that failed before writing). */
  async close(): Promise<void> {
    await this.thread?.terminate();
  }
}
