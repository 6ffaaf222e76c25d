import { loadWordVectors } from "../../src/embeddings/wordVectors.js";
import { writeTemplate } from "./postgres.js";

/** Converts the word vectors once, before the test files run in parallel. */
export default async function setup(): Promise<void> {
  await loadWordVectors();
  // The tests that run against PostgreSQL start a database each, from one empty copy.
  await writeTemplate();
}
