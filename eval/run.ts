/**
 * npm run eval: asks every question of eval/questions.jsonl through answerQuestion, over one
 * DATA_DIR holding the whole corpus, and prints how the answers score.
 */
import { parseArgs } from "node:util";
import { logger } from "../src/logger.js";
import { evaluate, openEvalAssistant } from "./harness.js";
import { readQuestions, SPLITS, type Split } from "./questions.js";
import { renderReport, reportJson } from "./report.js";

const USAGE = `Usage: npm run eval [-- --split tune|heldout] [-- --json] [-- --verbose]
  --split    ask only the questions of one half (default: both)
  --json     print one JSON object (summaries, tables, every answer) instead of the report
  --verbose  print every answer, not only the misses`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        split: { type: "string" },
        json: { type: "boolean", default: false },
        verbose: { type: "boolean", short: "v", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (values.split !== undefined && !SPLITS.includes(values.split as Split)) {
      throw new Error(`--split must be "tune" or "heldout", not "${values.split}"`);
    }
    return { ...values, split: values.split as Split | undefined };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const values = options();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!process.env.LOG_LEVEL) logger.level = "warn";

const questions = readQuestions().filter((q) => !values.split || q.split === values.split);
const opened = await openEvalAssistant();
try {
  if (opened.skipped.length > 0) {
    throw new Error(`corpus files were skipped:\n  ${opened.skipped.join("\n  ")}`);
  }
  const outcomes = await evaluate(opened.assistant, questions);
  const mode = opened.assistant.model ? "language model" : "extractive answerer";
  if (values.json) {
    const meta = {
      questions: questions.length,
      split: values.split ?? "both",
      documents: opened.documents,
      chunks: opened.chunks,
      mode,
    };
    process.stdout.write(`${JSON.stringify(reportJson(outcomes, meta), null, 2)}\n`);
  } else {
    const heading = [
      `Evaluation: ${questions.length} questions (${values.split ?? "tune and heldout"}) over ${opened.documents} documents, ${opened.chunks} chunks; ${mode}, default settings.`,
      "answerable: answered with every expected string and none forbidden. refusal P/R: precision and recall of refusals. direct EM: answers starting with the expected span in bold. len: characters of the answers given.",
    ];
    process.stdout.write(`${renderReport(outcomes, { heading, verbose: values.verbose })}\n`);
  }
} finally {
  await opened.close();
}
