import { createRequire } from "node:module";
import winkNLP from "wink-nlp";
import { memo } from "../text/memo.js";

/** A word of a tagged text, with its offsets into that text. */
export interface Tagged {
  text: string;
  start: number;
  end: number;
  /** Universal part of speech (PROPN, NOUN, VERB, NUM, DET...). */
  pos: string;
}

export interface Entity {
  text: string;
  start: number;
  end: number;
  /** DATE, TIME, CARDINAL, MONEY, PERCENT, ORDINAL, DURATION... */
  type: string;
}

// wink-nlp with its English "lite" model (MIT, an npm package: nothing is downloaded). Its parts of
// speech and entities (dates, numbers, amounts) find the span that answers a question. The model
// is loaded on first use (a fifth of a second): a start, a build or a reload does not pay for it.
let nlp: ReturnType<typeof winkNLP> | undefined;

function load() {
  nlp ??= winkNLP(createRequire(import.meta.url)("wink-eng-lite-web-model"));
  return nlp;
}

/** Texts whose tags are kept: the units of many answers' retrieved chunks. */
const TAGGED_KEPT = 20_000;

/**
 * Parts of speech and entities of a short text (a sentence), with offsets into it. The same
 * units come back question after question: their tags are kept (read-only).
 */
export const tag = memo(tagNow, TAGGED_KEPT);

function tagNow(text: string): { words: Tagged[]; entities: Entity[] } {
  const engine = load();
  const its = engine.its;
  const doc = engine.readDoc(text);
  const values = doc.tokens().out() as string[];
  const pos = doc.tokens().out(its.pos) as string[];
  const words: Tagged[] = [];
  let at = 0;
  values.forEach((value, i) => {
    const start = text.indexOf(value, at);
    if (start < 0) return;
    at = start + value.length;
    words.push({ text: value, start, end: at, pos: pos[i] });
  });
  const entities: Entity[] = [];
  let from = 0;
  for (const entity of doc.entities().out(its.detail) as unknown as {
    value: string;
    type: string;
  }[]) {
    const start = text.indexOf(entity.value, from);
    if (start < 0) continue;
    from = start + entity.value.length;
    entities.push({ text: entity.value, start, end: from, type: entity.type });
  }
  return { words, entities };
}

/** Loads the model now (about 0.8 s), so that the first question does not wait for it. */
export function warmUp(): void {
  load();
}
