import { runInChild } from "./child.js";
import type { ScaleInput, ScaleOutput, VectorKind } from "./scaleWorker.js";

const POINTS: { kind: VectorKind; n: number }[] = [
  { kind: "corpus-like", n: 10_000 },
  { kind: "corpus-like", n: 100_000 },
  { kind: "corpus-like", n: 1_000_000 },
  // No structure at all: shows how much HNSW's recall owes to the data.
  { kind: "uniform", n: 10_000 },
  { kind: "uniform", n: 100_000 },
];

/** The scaling run: each point in a process of its own, so its time and memory are its own. */
export async function runScale(input: Omit<ScaleInput, "n" | "kind">): Promise<ScaleOutput[]> {
  const outputs: ScaleOutput[] = [];
  for (const point of POINTS) {
    outputs.push(
      await runInChild<ScaleInput, ScaleOutput>(
        new URL("./scaleWorker.ts", import.meta.url),
        { ...input, ...point },
        // A million chunks of text and their BM25 index outgrow Node's default heap limit.
        ["--expose-gc", "--max-old-space-size=8192"],
      ),
    );
  }
  return outputs;
}
