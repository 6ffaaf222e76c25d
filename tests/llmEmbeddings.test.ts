import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { answerQuestion } from "../src/answer/answer.js";
import { openAssistant } from "../src/assistant.js";
import { loadCoreConfig } from "../src/config.js";
import { EmbeddingsUnavailableError } from "../src/embeddings/openai.js";
import {
  EMBEDDING_DIMENSIONS,
  type OpenAIServer,
  startOpenAIServer,
} from "./support/openaiServer.js";

const ARTICLE = path.resolve("data/docs/un-hrc-cooperation-resolution.txt");

let server: OpenAIServer;
let dataDir: string;
const settings = () => ({
  DATA_DIR: dataDir,
  EMBEDDINGS: "openai",
  EMBEDDINGS_MODEL: "test-embed",
  OPENAI_BASE_URL: server.baseURL,
});

beforeAll(async () => {
  server = await startOpenAIServer();
  dataDir = await mkdtemp(path.join(tmpdir(), "llm-embeddings-"));
  await mkdir(path.join(dataDir, "docs"));
  await copyFile(ARTICLE, path.join(dataDir, "docs", path.basename(ARTICLE)));
});

afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("EMBEDDINGS=openai", () => {
  test("embeddings from the endpoint build and query the index", async () => {
    const { assistant, report } = await openAssistant(loadCoreConfig(settings()));

    expect(report.rebuilt).toBe("no index yet");
    expect(assistant.knowledgeBase.manifest.embeddings).toEqual({
      provider: "openai",
      model: "test-embed",
      dimensions: EMBEDDING_DIMENSIONS,
    });
    expect(server.embeddings).toContainEqual({ model: "test-embed", inputs: report.chunks });

    const question = "Does it mention the affordability of vaccines?";
    const before = server.embeddings.length;
    const chunks = await assistant.knowledgeBase.retrieve(question);
    expect(server.embeddings.slice(before)).toEqual([{ model: "test-embed", inputs: 1 }]);
    const closest = chunks.toSorted((a, b) => b.metadata.similarity - a.metadata.similarity)[0];
    expect(closest.pageContent).toContain("affordability of vaccines in developing countries");

    const answer = await answerQuestion(assistant, question);
    expect(answer.answered).toBe(true);
    expect(answer.answer).toContain("vaccines");
  });

  test("the persisted index is reused while the embedding settings stay the same", async () => {
    const { report } = await openAssistant(loadCoreConfig(settings()));
    expect(report.rebuilt).toBeUndefined();
  });

  test("changing the embedding model or provider rebuilds the index", async () => {
    const other = await openAssistant(
      loadCoreConfig({ ...settings(), EMBEDDINGS_MODEL: "other-embed" }),
    );
    expect(other.report.rebuilt).toBe("the embedding provider or model changed");
    expect(other.assistant.knowledgeBase.manifest.embeddings.model).toBe("other-embed");
    expect(server.embeddings.at(-1)?.model).toBe("other-embed");

    const local = await openAssistant(loadCoreConfig({ ...settings(), EMBEDDINGS: "local" }));
    expect(local.report.rebuilt).toBe("the embedding provider or model changed");
    expect(local.assistant.knowledgeBase.manifest.embeddings.provider).toBe("local");
  });

  test("a stalled endpoint ends a question and a reload within LLM_TIMEOUT_MS, with a clear message", async () => {
    const { assistant } = await openAssistant(
      loadCoreConfig({ ...settings(), LLM_TIMEOUT_MS: "1000" }),
    );
    server.embeddingsStallMs = 60_000;
    try {
      const started = performance.now();
      await expect(assistant.knowledgeBase.retrieve("Who sponsored it?")).rejects.toThrow(
        new EmbeddingsUnavailableError(
          "The embedding service (EMBEDDINGS=openai) did not answer within 1 s (LLM_TIMEOUT_MS).",
        ),
      );
      expect(performance.now() - started).toBeLessThan(3000);

      // A reload that cannot embed ends too, and lets the next one run (its lock is released).
      await writeFile(path.join(dataDir, "docs", "more.txt"), "More\n\nAnother document.");
      await expect(assistant.knowledgeBase.reload()).rejects.toThrow(EmbeddingsUnavailableError);
      await expect(assistant.knowledgeBase.reload()).rejects.toThrow(/did not answer within 1 s/);
    } finally {
      server.embeddingsStallMs = 0;
      await rm(path.join(dataDir, "docs", "more.txt"), { force: true });
    }
    const answer = await answerQuestion(assistant, "Who sponsored the resolution?");
    expect(answer.answer).toContain("China");
  });
});
