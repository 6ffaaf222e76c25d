import { defineConfig } from "vitest/config";

// The tests of what a user notices of the store (answers, the CLI, the bot's /ask, /reload and
// /document) and of the record of use (votes, /insights, retention) run a second time against
// PostgreSQL (PGlite, one database per DATA_DIR).
const BOTH_STORES = [
  "tests/quality.test.ts",
  "tests/cli.test.ts",
  "tests/bot.test.ts",
  "tests/bot-reload.test.ts",
  "tests/bot-documents.test.ts",
  "tests/history-contract.test.ts",
  "tests/history.test.ts",
  "tests/bot-feedback.test.ts",
  "tests/bot-insights.test.ts",
];

const shared = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    globalSetup: ["tests/support/globalSetup.ts"],
    projects: [
      {
        test: {
          ...shared,
          name: "local",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/postgres*.test.ts"],
          env: { LOG_LEVEL: "silent" },
        },
      },
      {
        test: {
          ...shared,
          name: "postgres",
          include: [...BOTH_STORES, "tests/postgres*.test.ts"],
          env: { LOG_LEVEL: "silent", TEST_STORE: "postgres" },
        },
      },
    ],
  },
});
