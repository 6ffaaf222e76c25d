import { loadWordVectors } from "../../src/embeddings/wordVectors.js";

/** Converts the word vectors once, before the test files run in parallel. */
export default async function setup(): Promise<void> {
  await loadWordVectors();
}
