import "../env.js";
import { createInterface } from "node:readline";
import { answerQuestion, QuestionError } from "../answer/answer.js";
import type { Answer } from "../answer/types.js";
import { openAssistant } from "../assistant.js";
import { loadCoreConfig } from "../config.js";
import { parseCommandLine, runCli, UsageError } from "./run.js";

const USAGE = `Usage: npm run ask -- [--json] [--] "question"
       npm run ask -- [--json] < questions.txt   (one question a line, one answer each)
A question that starts with "-" goes after "--": npm run ask -- -- "-v: what is it?"
Exit codes: 0 answered (or refused), 1 an error, 2 a wrong command line.`;

function forPerson(answer: Answer): string {
  const lines = [answer.answer];
  if (answer.sources.length > 0) {
    lines.push("", "Sources:");
    for (const s of answer.sources) {
      lines.push(
        `[${s.n}] ${s.title}${s.date ? ` (${s.date})` : ""} — ${s.source}, chunk ${s.chunk}`,
      );
    }
  }
  lines.push("", `(${answer.mode}, ${answer.ms} ms)`);
  if (answer.fallback) lines.push(answer.fallback);
  if (answer.note) lines.push(answer.note);
  return lines.join("\n");
}

function forMachine(answer: Answer): string {
  const { question, answered, mode, ms } = answer;
  const sources = answer.sources.map(({ title, source, chunk, score, text }) => ({
    title,
    source,
    chunk,
    score,
    text,
  }));
  return JSON.stringify({ question, answer: answer.answer, answered, sources, mode, ms });
}

runCli(async () => {
  const { values, positionals } = parseCommandLine({
    options: { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const question = positionals.join(" ").trim();
  if (!question && process.stdin.isTTY) throw new UsageError("No question given.");
  const { assistant } = await openAssistant(loadCoreConfig());
  const format = values.json ? forMachine : forPerson;
  const ask = async (text: string) => {
    try {
      process.stdout.write(`${format(await answerQuestion(assistant, text))}\n`);
    } catch (error) {
      if (!(error instanceof QuestionError)) throw error;
      if (values.json)
        process.stdout.write(`${JSON.stringify({ question: text, error: error.message })}\n`);
      else process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    }
  };
  if (question) return ask(question);
  let asked = 0;
  for await (const line of createInterface({
    input: process.stdin,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (!line.trim()) continue;
    asked++;
    await ask(line);
  }
  // Run with no argument from cron or with </dev/null: say so rather than print nothing.
  if (asked === 0) throw new UsageError("No question given, and none on standard input.");
}, USAGE);
