import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CoreConfig, loadCoreConfig } from "../../src/config.js";
import { databaseFor, shareDatabase, stopDatabaseOf, storeEnv } from "./postgres.js";

export const REPO = path.resolve(import.meta.dirname, "../..");
export const ARTICLE = path.join(REPO, "data/docs/un-hrc-cooperation-resolution.txt");

/**
 * A fresh DATA_DIR with a copy of the shipped documents (or an empty docs folder) and no index,
 * and the core config that points at it.
 */
export async function tempDataDir(
  options: {
    withDocs?: boolean;
    env?: Record<string, string>;
    /** Another DATA_DIR whose database this one uses (with TEST_STORE=postgres): another machine. */
    databaseOf?: string;
  } = {},
): Promise<{ dir: string; docs: string; config: CoreConfig; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "docs-qa-bot-"));
  const docs = path.join(dir, "docs");
  if (options.withDocs ?? true) await cp(path.join(REPO, "data/docs"), docs, { recursive: true });
  else await mkdir(docs);
  // With TEST_STORE=postgres, a database of its own, which commands and bots given this
  // DATA_DIR use (storeEnv).
  if (options.databaseOf) shareDatabase(dir, options.databaseOf);
  else await databaseFor(dir);
  const config = loadCoreConfig({ DATA_DIR: dir, ...storeEnv(dir), ...options.env });
  const remove = async () => {
    await stopDatabaseOf(dir);
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, docs, config, remove };
}
