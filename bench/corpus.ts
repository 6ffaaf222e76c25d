import { copyFile, mkdir, mkdtemp, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const ARTICLE = "data/docs/un-hrc-cooperation-resolution.txt";
const README = new Set(["README.md", "readme.md"]);

export interface Corpus {
  /** A fresh DATA_DIR whose docs/ holds the corpus. */
  dataDir: string;
  files: number;
  bytes: number;
}

async function readmes(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await readmes(full)));
    else if (entry.isFile() && README.has(entry.name)) found.push(full);
  }
  return found.sort();
}

/**
 * Real text nobody on this project wrote: every README under node_modules/ (fixed by the lock
 * file), plus the article, copied into the docs folder of a temporary DATA_DIR.
 */
export async function prepareCorpus(root: string): Promise<Corpus> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "docs-qa-bench-"));
  const docsDir = path.join(dataDir, "docs");
  const nodeModules = path.join(root, "node_modules");
  const copies = (await readmes(nodeModules)).map((file) => ({
    from: file,
    to: path.join(docsDir, "node_modules", path.relative(nodeModules, file)),
  }));
  copies.push({ from: path.join(root, ARTICLE), to: path.join(docsDir, path.basename(ARTICLE)) });
  let bytes = 0;
  for (const { from, to } of copies) {
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(from, to);
    bytes += (await stat(to)).size;
  }
  return { dataDir, files: copies.length, bytes };
}
