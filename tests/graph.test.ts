import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HNSWLib } from "@langchain/community/vectorstores/hnswlib";
import { Document } from "@langchain/core/documents";
import { FakeEmbeddings } from "@langchain/core/utils/testing";
import hnswlib from "hnswlib-node";
import { afterEach, describe, expect, it } from "vitest";
import { GraphBuilder } from "../src/index/graph.js";

/** Seeded unit vectors: the same every run. */
function vectors(count: number, dimensions: number, seed = 7): number[][] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const vector = Array.from({ length: dimensions }, next);
    const norm = Math.hypot(...vector);
    return vector.map((x) => Math.fround(x / norm));
  });
}

describe("the HNSW graph built on its own thread", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("finds the same neighbours as LangChain's HNSWLib built from the same vectors, in batches of any size", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "graph-"));
    const dimensions = 16;
    const all = vectors(1500, dimensions);
    const builder = new GraphBuilder(dimensions);
    // Uneven batches: the graph grows past its first size several times.
    for (let at = 0, size = 7; at < all.length; at += size, size = size * 2 + 1)
      builder.add(all.slice(at, at + size));
    const file = path.join(dir, "hnswlib.index");
    await builder.write(file);

    const built = new hnswlib.HierarchicalNSW("cosine", dimensions);
    await built.readIndex(file);
    expect(built.getCurrentCount()).toBe(all.length);

    const reference = new HNSWLib(new FakeEmbeddings(), {
      space: "cosine",
      numDimensions: dimensions,
    });
    await reference.addVectors(
      all,
      all.map((_, i) => new Document({ pageContent: String(i) })),
    );
    built.setEf(64);
    reference.index.setEf(64);
    for (const query of vectors(50, dimensions, 99)) {
      expect(built.searchKnn(query, 10).neighbors).toEqual(
        reference.index.searchKnn(query, 10).neighbors,
      );
    }
  });

  it("fails the build, rather than writing a partial graph, when a vector has the wrong size", async () => {
    const builder = new GraphBuilder(4);
    expect(() => builder.add([[1, 0, 0]])).toThrow(/3 dimensions in a graph of 4/);
    await builder.close();
  });
});
