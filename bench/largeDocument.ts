import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadCoreConfig } from "../src/config.js";
import { KnowledgeBase } from "../src/knowledgeBase.js";
import { logger } from "../src/logger.js";
import { sentenceSpans } from "../src/text/sentences.js";
import { serveOnce } from "./child.js";
import { MB, timed } from "./stats.js";

export interface LargeDocumentInput {
  /** The corpus's docs folder: its text files make up the document. */
  docsDir: string;
  bytes: number;
}

export interface LargeDocumentOutput {
  megabytes: number;
  chunks: number;
  /** Sentence segmentation of the first 200 KB, 1 MB and all of the document. */
  segmentMs: { kb200: number; mb1: number; all: number };
  /** KnowledgeBase.open in a fresh process: the build thread's start, the build, the load. */
  openMs: number;
  /** The build alone (split, embed, HNSW + BM25), as its manifest records it. */
  buildMs: number;
}

async function textFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await textFiles(full)));
    else if (/\.(md|txt)$/i.test(entry.name)) found.push(full);
  }
  return found.sort();
}

/** One plain-text document of about `bytes` bytes: the corpus's texts end to end, repeated. */
async function largeText(docsDir: string, bytes: number): Promise<string> {
  const texts = await Promise.all((await textFiles(docsDir)).map((file) => readFile(file, "utf8")));
  const parts: string[] = [];
  let size = 0;
  for (let n = 0; size < bytes; n++) {
    const text = texts[n % texts.length];
    parts.push(text);
    size += Buffer.byteLength(text);
  }
  return Buffer.from(parts.join("\n\n")).subarray(0, bytes).toString("utf8");
}

if (!process.env.LOG_LEVEL) logger.level = "warn";

/**
 * What a bot meets when the documents hold one large file (issue 12: 5 MB froze the bot for
 * minutes): segmentation times, and KnowledgeBase.open building its index, in a fresh process.
 */
serveOnce<LargeDocumentInput, LargeDocumentOutput>(async ({ docsDir, bytes }) => {
  const text = await largeText(docsDir, bytes);
  const segment = async (length: number) =>
    (await timed(() => sentenceSpans(text.slice(0, length)))).ms;
  const segmentMs = {
    kb200: await segment(200 * 1024),
    mb1: await segment(1024 * 1024),
    all: await segment(text.length),
  };
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "docs-qa-bench-large-"));
  try {
    await mkdir(path.join(dataDir, "docs"));
    await writeFile(path.join(dataDir, "docs", "large.txt"), text);
    const config = loadCoreConfig({ DATA_DIR: dataDir, MAX_DOCUMENT_BYTES: String(bytes * 2) });
    const opened = await timed(() => KnowledgeBase.open(config));
    const { manifest } = opened.value.knowledgeBase;
    return {
      megabytes: Math.round((Buffer.byteLength(text) / MB) * 100) / 100,
      chunks: manifest.chunks,
      segmentMs,
      openMs: opened.ms,
      buildMs: manifest.buildMs,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
