import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CoreConfig, loadCoreConfig } from "../../src/config.js";

export const ARTICLE = path.resolve("data/docs/un-hrc-cooperation-resolution.txt");

/** A temporary DATA_DIR holding a copy of the shipped documents (or none), and its config. */
export async function tempDataDir(
  options: { withArticle?: boolean; env?: Record<string, string> } = {},
): Promise<{ dir: string; config: CoreConfig; docs: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "docs-qa-"));
  const docs = path.join(dir, "docs");
  if (options.withArticle ?? true) await cp(ARTICLE, path.join(docs, path.basename(ARTICLE)));
  const config = loadCoreConfig({ DATA_DIR: dir, ...options.env });
  return { dir, config, docs, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
