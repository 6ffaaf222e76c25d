import "../env.js";
import { SingleBar } from "cli-progress";
import { loadCoreConfig } from "../config.js";
import { createEmbeddings } from "../embeddings/index.js";
import { KnowledgeBase } from "../knowledgeBase.js";
import { parseCommandLine, runCli } from "./run.js";

const USAGE = `Usage: npm run index [-- --rebuild]
Rebuilds the index of DATA_DIR/docs and prints what it did. With STORE=postgres, writes only the
documents that changed; --rebuild embeds every document of every library anew (after a change of
EMBEDDINGS or EMBEDDINGS_MODEL).
Exit codes: 0 built, 1 an error, 2 a wrong command line.`;

/** Files named in a line of the report; a first build adds hundreds, which are counted. */
const FILES_LISTED = 10;

function listed(files: string[]): string {
  if (files.length <= FILES_LISTED) return files.join(", ");
  return `${files.slice(0, FILES_LISTED).join(", ")} and ${files.length - FILES_LISTED} more`;
}

runCli(async () => {
  const { values } = parseCommandLine({
    options: { help: { type: "boolean", short: "h" }, rebuild: { type: "boolean" } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadCoreConfig();
  const bar = new SingleBar({
    format: "{phase} [{bar}] {value}/{total}",
    stream: process.stderr,
    noTTYOutput: false,
  });
  let phase = "";
  const { knowledgeBase, report } = await KnowledgeBase.open(config, {
    // Built on this thread: a command has nothing else to keep answering (the bot builds in a
    // thread of its own, at a lower priority), and a second thread would load everything again.
    embeddings: await createEmbeddings(config),
    rebuild: true,
    reset: values.rebuild === true,
    onProgress: (next, done, total) => {
      if (!process.stderr.isTTY) return;
      if (next !== phase) {
        if (phase) bar.stop();
        phase = next;
        bar.start(total, done, { phase: next.padEnd(5) });
      } else bar.update(done);
    },
  });
  if (phase) bar.stop();
  await knowledgeBase.close();
  const lines = [
    `Indexed ${report.documents} document(s) from ${config.docsDir} into ${report.chunks} chunks in ${report.ms} ms.`,
    `Index: ${config.STORE === "postgres" ? "PostgreSQL (DATABASE_URL)" : config.indexDir}`,
  ];
  for (const [label, files] of [
    ["Added", report.added],
    ["Changed", report.changed],
    ["Removed", report.removed],
  ] as const) {
    if (files.length > 0) lines.push(`${label}: ${listed(files)}`);
  }
  if (report.skipped.length) {
    lines.push(`Skipped ${report.skipped.length} file(s):`);
    for (const file of report.skipped) lines.push(`  ${file.source}: ${file.reason}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}, USAGE);
