import { stemmer } from "stemmer";
import { cosine } from "../retrieval/hybrid.js";

/**
 * How close two questions' embeddings must be (cosine) to count as the same question in other
 * words. Measured with the local embeddings: rewordings ("What are the parking fees at the
 * port?" / "What is the price of parking at the harbour?") score 0.77 to 0.96, different
 * questions at most 0.69.
 */
export const SAME_QUESTION_SIMILARITY = 0.75;

export interface QuestionGroup {
  /** The group's most common wording. */
  question: string;
  count: number;
  /** Every wording of the group, most common first. */
  wordings: string[];
}

/** Turns texts into vectors of one space, such as the knowledge base's embeddings. */
export type Embed = (texts: string[]) => Promise<number[][]>;

/** The same words in any order, any case and any inflection give the same key. */
export function wordsKey(question: string): string {
  const words = question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((word) => stemmer(word)))].sort().join(" ");
}

/**
 * Groups questions asked in other words: first those with the same words in another order, then
 * groups whose most common wordings are close in the embedding space (each joins the largest group
 * it is close to). Largest group first. Without `embed`, or when it fails, by words alone.
 */
export async function groupQuestions(questions: string[], embed?: Embed): Promise<QuestionGroup[]> {
  const byWords = new Map<string, Map<string, number>>();
  for (const question of questions) {
    const key = wordsKey(question);
    const wordings = byWords.get(key) ?? new Map<string, number>();
    wordings.set(question, (wordings.get(question) ?? 0) + 1);
    byWords.set(key, wordings);
  }
  const groups = [...byWords.values()].map((wordings) => ({ wordings, count: sum(wordings) }));
  groups.sort((a, b) => b.count - a.count);
  let vectors: number[][] | undefined;
  if (embed && groups.length > 1) {
    vectors = await embed(groups.map((group) => mostCommon(group.wordings)));
  }
  const merged: { wordings: Map<string, number>; vector?: number[] }[] = [];
  groups.forEach((group, i) => {
    const vector = vectors?.[i];
    const near = vector
      ? merged.find((m) => m.vector && cosine(m.vector, vector) >= SAME_QUESTION_SIMILARITY)
      : undefined;
    if (!near) {
      merged.push({ wordings: new Map(group.wordings), vector });
      return;
    }
    for (const [wording, count] of group.wordings)
      near.wordings.set(wording, (near.wordings.get(wording) ?? 0) + count);
  });
  return merged
    .map(({ wordings }) => ({
      question: mostCommon(wordings),
      count: sum(wordings),
      wordings: [...wordings.entries()].sort((a, b) => b[1] - a[1]).map(([wording]) => wording),
    }))
    .sort((a, b) => b.count - a.count);
}

function sum(counts: Map<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}

/** The wording asked most often; the first asked among equals. */
function mostCommon(counts: Map<string, number>): string {
  let best = "";
  let most = 0;
  for (const [wording, count] of counts) {
    if (count > most) {
      best = wording;
      most = count;
    }
  }
  return best;
}
