import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Embeddings } from "@langchain/core/embeddings";
import { afterEach, describe, expect, it } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { openAssistant } from "../src/assistant.js";
import { loadCoreConfig } from "../src/config.js";
import { LocalEmbeddings } from "../src/embeddings/local.js";
import { SentenceTextSplitter, splitWithOffsets } from "../src/index/splitter.js";
import { currentIndexDir } from "../src/index/store.js";
import { KnowledgeBase } from "../src/knowledgeBase.js";
import { ARTICLE, tempDataDir } from "./support/dataDir.js";

let cleanup: () => Promise<void> = async () => {};
afterEach(() => cleanup());

async function setUp(env?: Record<string, string>) {
  const data = await tempDataDir({ env });
  cleanup = data.remove;
  return data;
}

/** Local embeddings that fail after a number of calls, as a crash in the middle of a build would. */
class FailingEmbeddings extends Embeddings {
  calls = 0;
  constructor(
    private readonly inner: LocalEmbeddings,
    private readonly failAfter: number,
  ) {
    super({});
  }
  async embedDocuments(texts: string[]) {
    if (++this.calls > this.failAfter) throw new Error("embedding service crashed");
    return this.inner.embedDocuments(texts);
  }
  embedQuery(text: string) {
    return this.inner.embedQuery(text);
  }
}

describe("splitting", () => {
  it("keeps each chunk's offsets into the source and cuts at sentence ends", async () => {
    const text = await readFile(ARTICLE, "utf8");
    const splitter = new SentenceTextSplitter({ chunkSize: 400, chunkOverlap: 100 });
    const chunks = await splitWithOffsets(splitter, text);
    expect(chunks.length).toBeGreaterThan(4);
    for (const chunk of chunks) {
      expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      expect(chunk.text.length).toBeLessThanOrEqual(400);
    }
    // A chunk ends where a sentence or a line ends, unless a single sentence is longer than a chunk.
    const whole = chunks.filter((chunk) => chunk.text.length < 300);
    for (const chunk of whole) expect(chunk.text).toMatch(/([.!?"\]]|\d{4})$/);
  });

  it("cuts a sentence longer than a chunk at words", async () => {
    const sentence = `${"word ".repeat(200).trim()}.`;
    const chunks = await splitWithOffsets(
      new SentenceTextSplitter({ chunkSize: 100, chunkOverlap: 0 }),
      sentence,
    );
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(100);
      expect(chunk.text).toMatch(/^word/);
    }
  });
});

describe("the persisted index", () => {
  it("is built once, then loaded from disk and answers the same", async () => {
    const { config } = await setUp();
    const first = await openAssistant(config);
    expect(first.report.rebuilt).toBe("no index yet");
    expect(first.report.chunks).toBeGreaterThan(1);
    const before = await answerQuestion(first.assistant, "Who introduced the draft resolution?");

    const second = await openAssistant(config);
    expect(second.report.rebuilt).toBeUndefined();
    expect(second.assistant.knowledgeBase.manifest.builtAt).toBe(
      first.assistant.knowledgeBase.manifest.builtAt,
    );
    const after = await answerQuestion(second.assistant, "Who introduced the draft resolution?");
    expect(after.answer).toBe(before.answer);
    expect(after.answer).toContain("Chen Xu");
  });

  it("built on the caller's thread (npm run index), is searched from memory as it will be from disk", async () => {
    const { config } = await setUp();
    const embeddings = {
      embeddings: await LocalEmbeddings.create(),
      provider: "local",
      model: LocalEmbeddings.model,
    };
    // Opened from what the build holds in memory, then from the files it wrote.
    const built = await KnowledgeBase.open(config, { embeddings, rebuild: true });
    expect(built.report.rebuilt).toBe("rebuild requested");
    const loaded = await KnowledgeBase.open(config, { embeddings });
    expect(loaded.report.rebuilt).toBeUndefined();
    const questions = [
      "Who introduced the draft resolution?",
      "Which countries co-sponsored the resolution?",
      "How many votes were in favour?",
      "What is the capital of France?",
    ];
    for (const question of questions) {
      const found = (await built.knowledgeBase.retrieve(question)).map(
        ({ pageContent, metadata }) => ({
          pageContent,
          metadata,
        }),
      );
      expect(found.length).toBeGreaterThan(0);
      const again = (await loaded.knowledgeBase.retrieve(question)).map(
        ({ pageContent, metadata }) => ({
          pageContent,
          metadata,
        }),
      );
      expect(again).toEqual(found);
    }
  });

  it("records provider, model, dimensions, splitter, hashes and build time in its manifest", async () => {
    const { config } = await setUp();
    const { assistant } = await openAssistant(config);
    const manifest = assistant.knowledgeBase.manifest;
    expect(manifest.embeddings).toEqual({
      provider: "local",
      model: LocalEmbeddings.model,
      dimensions: 100,
    });
    expect(manifest.splitter).toEqual({
      kind: "sentences",
      version: 3,
      chunkSize: 800,
      chunkOverlap: 150,
    });
    expect(manifest.documents[0]).toMatchObject({
      source: "un-hrc-cooperation-resolution.txt",
      date: "2021-03-24",
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(Date.parse(manifest.builtAt)).not.toBeNaN();
    expect(manifest.version).toBeGreaterThan(0);
  });

  it("is rebuilt when a document changes, is added or the chunk settings change", async () => {
    const { config, docs, dir } = await setUp();
    await openAssistant(config);

    await writeFile(
      path.join(docs, "un-hrc-cooperation-resolution.txt"),
      "Changed text. Nothing else.",
    );
    const changed = await openAssistant(config);
    expect(changed.report.rebuilt).toBe("the documents changed");
    expect(changed.report.changed).toEqual(["un-hrc-cooperation-resolution.txt"]);

    await writeFile(path.join(docs, "faq.md"), "# FAQ\n\nThe moderators meet on Fridays.\n");
    const added = await openAssistant(config);
    expect(added.report.added).toEqual(["faq.md"]);
    const answer = await answerQuestion(added.assistant, "When do the moderators meet?");
    expect(answer.answered).toBe(true);
    expect(answer.answer).toContain("Fridays");

    const resized = await openAssistant(loadCoreConfig({ DATA_DIR: dir, CHUNK_SIZE: "300" }));
    expect(resized.report.rebuilt).toBe("the chunk settings changed");
    expect(resized.assistant.knowledgeBase.manifest.splitter.chunkSize).toBe(300);
  });

  it("keeps a.txt and a.md apart: loaded without a rebuild, each with its own chunks and answers", async () => {
    const { config, docs } = await setUp({ CHUNK_SIZE: "200", CHUNK_OVERLAP: "0" });
    await writeFile(
      path.join(docs, "a.txt"),
      "Harbour rules\n\nThe harbour opens at dawn. Boats moor at the east quay.",
    );
    const ferry = Array.from({ length: 8 }, (_, i) => `Ferry ${i} leaves the island at noon.`);
    await writeFile(path.join(docs, "a.md"), `# Ferry times\n\n${ferry.join(" ")}\n`);
    const first = await openAssistant(config);
    expect(first.report.rebuilt).toBe("no index yet");

    const second = await openAssistant(config);
    expect(second.report.rebuilt).toBeUndefined();
    const { manifest } = second.assistant.knowledgeBase;
    const chunks = Object.fromEntries(manifest.documents.map((doc) => [doc.source, doc.chunks]));
    expect(chunks["a.txt"]).toBe(1);
    expect(chunks["a.md"]).toBeGreaterThan(1);
    expect(new Set(manifest.documents.map((doc) => doc.id)).size).toBe(manifest.documents.length);

    const answer = await answerQuestion(second.assistant, "When does the harbour open?");
    expect(answer.answer).toContain("dawn");
    expect(answer.sources.map((source) => `${source.source}: ${source.title}`)).toEqual([
      "a.txt: Harbour rules",
    ]);
  });

  it("keeps the previous index when a build fails half way", async () => {
    // Small chunks, so that the new document needs several embedding batches.
    const { config, docs } = await setUp({ CHUNK_SIZE: "100", CHUNK_OVERLAP: "0" });
    const { knowledgeBase } = await KnowledgeBase.open(config);
    const builtAt = knowledgeBase.manifest.builtAt;

    // An embedder that dies after the first batch.
    const long = Array.from(
      { length: 600 },
      (_, i) => `Rule ${i} says members post in channel ${i}.`,
    );
    await writeFile(path.join(docs, "rules.txt"), long.join(" "));
    const local = await LocalEmbeddings.create();
    const failing = new FailingEmbeddings(local, 1);
    await expect(
      KnowledgeBase.open(config, {
        embeddings: { embeddings: failing, provider: "local", model: LocalEmbeddings.model },
      }),
    ).rejects.toThrow("embedding service crashed");
    expect(failing.calls).toBe(2);

    // The old index is still current, loads, and answers.
    await rm(path.join(docs, "rules.txt"));
    const reopened = await openAssistant(config);
    expect(reopened.report.rebuilt).toBeUndefined();
    expect(reopened.assistant.knowledgeBase.manifest.builtAt).toBe(builtAt);
    const answer = await answerQuestion(reopened.assistant, "Who sponsored the resolution?");
    expect(answer.answered).toBe(true);
    expect(answer.answer).toContain("China");
  });

  it("keeps serving the old index when a reload fails, and reports why", async () => {
    const { config, docs } = await setUp();
    const local = await LocalEmbeddings.create();
    const failing = new FailingEmbeddings(local, 1);
    const { knowledgeBase } = await KnowledgeBase.open(config, {
      embeddings: { embeddings: failing, provider: "local", model: LocalEmbeddings.model },
    });
    await writeFile(path.join(docs, "new.txt"), "Another document about the bot.");
    await expect(knowledgeBase.reload()).rejects.toThrow("embedding service crashed");
    const chunks = await knowledgeBase.retrieve("Who sponsored the resolution?");
    expect(chunks[0].metadata.source).toBe("un-hrc-cooperation-resolution.txt");
    expect(knowledgeBase.manifest.documents).toHaveLength(1);
  });

  it("refuses a second reload while one runs", async () => {
    const { config } = await setUp();
    const { knowledgeBase } = await KnowledgeBase.open(config);
    const first = knowledgeBase.reload();
    await expect(knowledgeBase.reload()).rejects.toThrow(/already running/);
    await expect(first).resolves.toMatchObject({ documents: 1 });
  });

  it("rebuilds a corrupt index with a warning instead of crashing", async () => {
    const { config } = await setUp();
    await openAssistant(config);
    const current = await currentIndexDir(config.indexDir);
    if (!current) throw new Error("no current index");
    await writeFile(path.join(current, "hnswlib.index"), "garbage");
    const reopened = await openAssistant(config);
    expect(reopened.report.rebuilt).toBe("the index on disk could not be read");
    const answer = await answerQuestion(reopened.assistant, "Who sponsored the resolution?");
    expect(answer.answer).toContain("China");
    // Only the new build is left on disk.
    expect(await readdir(path.join(config.indexDir, "builds"))).toHaveLength(1);
  });
});
