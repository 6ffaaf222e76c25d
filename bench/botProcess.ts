import { answerQuestion } from "../src/answer/answer.js";
import { openAssistant } from "../src/assistant.js";
import { loadCoreConfig } from "../src/config.js";
import { loadWordVectors } from "../src/embeddings/wordVectors.js";
import { logger } from "../src/logger.js";
import { serveOnce } from "./child.js";
import { phase } from "./progress.js";
import type { Question, QuestionKind } from "./questions.js";
import { MB, peakRssMB, timed } from "./stats.js";

export interface BotInput {
  dataDir: string;
  rebuild: boolean;
  questions: Question[];
}

export interface BotOutput {
  /** Why the index was rebuilt, or null when the persisted one was loaded. */
  rebuilt: string | null;
  wordVectorsMs: number;
  openMs: number;
  rssAfterOpenMB: number;
  answers: { kind: QuestionKind; ms: number; answered: boolean }[];
  peakRssMB: number;
}

if (!process.env.LOG_LEVEL) logger.level = "warn";

/**
 * What the bot does, in a fresh process: open the assistant (the word-vector table, then the
 * persisted index, or a rebuild), then answer every question in turn through answerQuestion.
 */
serveOnce<BotInput, BotOutput>(async ({ dataDir, rebuild, questions }) => {
  const config = loadCoreConfig({ DATA_DIR: dataDir });
  const wordVectors = await timed(loadWordVectors);
  const opened = await timed(() => openAssistant(config, { rebuild }));
  const { assistant, report } = opened.value;
  const rssAfterOpenMB = process.memoryUsage().rss / MB;

  const answers: BotOutput["answers"] = [];
  const bar = questions.length > 0 ? phase("answering (one process)", questions.length) : undefined;
  for (const question of questions) {
    const { value, ms } = await timed(() => answerQuestion(assistant, question.text));
    answers.push({ kind: question.kind, ms, answered: value.answered });
    bar?.update(answers.length);
  }
  bar?.stop();
  return {
    rebuilt: report.rebuilt ?? null,
    wordVectorsMs: wordVectors.ms,
    openMs: opened.ms,
    rssAfterOpenMB,
    answers,
    peakRssMB: peakRssMB(),
  };
});
