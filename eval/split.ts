/**
 * Gives every question of eval/questions.jsonl that has no "split" yet one, at random with a fixed
 * seed: half "tune", half "heldout", within each corpus and each of answerable/refused. An
 * existing split is never changed, so the held-out half stays held out when questions are added.
 *
 *   npx tsx eval/split.ts
 */
import { writeFileSync } from "node:fs";
import { seeded, shuffled } from "../bench/seeded.js";
import { type EvalQuestion, QUESTIONS_FILE, readQuestions, type Split } from "./questions.js";

/** Fixed, so that running the script again on the same file assigns the same halves. */
const SEED = 20_261_202;

export function assignSplits(questions: EvalQuestion[], seed = SEED): EvalQuestion[] {
  const random = seeded(seed);
  const strata = new Map<string, EvalQuestion[]>();
  for (const entry of questions) {
    const key = `${entry.corpus}\t${entry.answerable}`;
    strata.set(key, [...(strata.get(key) ?? []), entry]);
  }
  const assigned = new Map<string, Split>();
  for (const key of [...strata.keys()].sort()) {
    const entries = strata.get(key) ?? [];
    const count = { tune: 0, heldout: 0 };
    for (const entry of entries) if (entry.split) count[entry.split]++;
    for (const entry of shuffled(
      random,
      entries.filter((item) => !item.split),
    )) {
      // The smaller half takes the next one; a tie is settled by the coin.
      const split: Split =
        count.tune === count.heldout
          ? random() < 0.5
            ? "tune"
            : "heldout"
          : count.tune < count.heldout
            ? "tune"
            : "heldout";
      count[split]++;
      assigned.set(entry.id, split);
    }
  }
  return questions.map((entry) =>
    entry.split ? entry : { ...entry, split: assigned.get(entry.id) },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const before = readQuestions();
  const after = assignSplits(before);
  writeFileSync(QUESTIONS_FILE, `${after.map((entry) => JSON.stringify(entry)).join("\n")}\n`);
  const added = after.filter((entry, i) => entry.split !== before[i].split).length;
  const tune = after.filter((entry) => entry.split === "tune").length;
  console.log(
    `${added} question(s) given a split; ${tune} tune, ${after.length - tune} heldout, ${after.length} in all.`,
  );
}
