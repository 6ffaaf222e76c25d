import { describe, expect, it } from "vitest";
import { LocalEmbeddings } from "../src/embeddings/local.js";

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

describe("local embeddings", () => {
  it("are semantic: a paraphrase lands nearer its sentence than unrelated ones", async () => {
    const embeddings = await LocalEmbeddings.create();
    const [sponsored, vaccines, paris, password] = await embeddings.embedDocuments([
      "The Human Rights Council adopted a China-sponsored resolution.",
      "It stresses the affordability of vaccines in developing countries.",
      "Paris is the capital and largest city of France.",
      "Reset your password from the account settings page.",
    ]);
    const query = await embeddings.embedQuery("Which country was behind it?");
    expect(cosine(query, sponsored)).toBeGreaterThan(cosine(query, vaccines));
    expect(cosine(query, sponsored)).toBeGreaterThan(cosine(query, password));
    const shots = await embeddings.embedQuery("How affordable are the jabs for poorer nations?");
    expect(cosine(shots, vaccines)).toBeGreaterThan(cosine(shots, sponsored));
    expect(cosine(shots, vaccines)).toBeGreaterThan(cosine(shots, paris));
  });

  it("give unit vectors of a fixed dimension, also for words they do not know", async () => {
    const embeddings = await LocalEmbeddings.create();
    const vectors = await embeddings.embedDocuments(["qwxzv blorptang", "", "hnswlib"]);
    for (const vector of vectors) {
      expect(vector).toHaveLength(100);
      expect(cosine(vector, vector)).toBeCloseTo(1, 5);
    }
    expect(cosine(vectors[0], await embeddings.embedQuery("qwxzv blorptang"))).toBeCloseTo(1, 5);
  });
});
