import { stem } from "../text/tokens.js";
import { tag } from "./nlp.js";

/** What kind of short answer a question asks for, when it asks for one. */
export type Asks = "who" | "which" | "name" | "when" | "where" | "count" | "amount" | "value";

/** The longest direct answer shown: past that it is not short, and the quote says it better. */
export const SPAN_MAX = 80;
/** How far (in characters) a worse-placed candidate counts as: an article before a name ("the UN")... */
const AFTER_ARTICLE = 60;
/** ...an acronym, for "who" (people and countries are written out)... */
const ACRONYM = 40;
/** ...and a place named without "in", "at" or "from", for "where". */
const NOT_A_PLACE = 120;
/** ...a time said in words rather than as a date... */
const TIME_PHRASE_PENALTY = 20;
/** ...and one name, when the question asks for several. */
const SINGLE_OF_MANY = 40;
// Characters of distance forgiven a name that holds the kind of thing asked for: more than the
// article before it costs (AFTER_ARTICLE).
const TYPE_NAMED = 80;

const MONTHS =
  "January|February|March|April|May|June|July|August|September|October|November|December";
const DATES = new RegExp(
  `\\b(?:(?:${MONTHS})\\s+\\d{1,2}(?:,\\s*\\d{4})?|\\d{1,2}\\s+(?:${MONTHS})(?:\\s+\\d{4})?|(?:${MONTHS})\\s+\\d{4}|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?|(?:19|20)\\d\\d)\\b`,
  "g",
);

/**
 * The kind of short answer a question asks for, from its question word: the first one it uses
 * ("how do I ignore images WHEN converting?" asks how, not when).
 */
const TIME_PHRASE =
  /\b(?:in a timely manner|(?:during|after|before|until|since|within)(?: and (?:during|after|before))? (?:the |a |an )?[\p{L}-]+(?: [\p{L}-]+)?)/giu;

export function asks(question: string): Asks | undefined {
  const q = question.toLowerCase();
  const word = /\b(how many|how much|how|when|where|whom|whose|who|which|what)\b/.exec(q)?.[1];
  switch (word) {
    // "How many updates are used BY DEFAULT?" asks for the default value, which is a number.
    case "how many":
      return /\bby default\b/.test(q) ? "value" : "count";
    case "how much":
      return /\bby default\b/.test(q) ? "value" : "amount";
    case "when":
      return "when";
    case "where":
      return "where";
    case "who":
    case "whom":
    case "whose":
      return "who";
    case "which":
      if (/^\s*\w*\s*which (date|day|year|month|time)\b/.test(q)) return "when";
      // "Which stream does it write to by default?" asks for a default value, as "what is…".
      return /\bby default\b|\bdefaults?\b/.test(q) ? "value" : "which";
    case "what":
      if (/\bwhat (date|day|year|month|time)\b/.test(q)) return "when";
      if (
        /\bwhat(?:'s| is| was| are)? (?:it|the \w+|this \w+)? ?(called|named|titled)\b|\bwhat(?:'s| is| was) (?:the|its|an?) (?:\w+ )?(name|title|alias)\b/.test(
          q,
        )
      )
        return "name";
      if (/^\s*what(?:'s| is| are)\b.*\bdefaults?\b/.test(q)) return "value";
      return undefined;
    default:
      // "Does it start by default?" asks for the default value, which says yes or no.
      return /^\s*(?:does|do|is|are|will|can)\b/.test(q) && /\bby default\b/.test(q)
        ? "value"
        : undefined;
  }
}

/** How far before a number its label ("Minimum:") is looked for. */
const BOUND_LABEL_CHARS = 16;

interface Candidate {
  start: number;
  end: number;
  penalty: number;
}

/**
 * The shortest span of a sentence that answers the question (a name, a date, a number, a title),
 * verbatim, chosen nearest to the words of the sentence that matched the question; undefined when
 * the sentence holds none. `anchors` are the offsets of the matched words, `questionWords` the
 * question's own words (lower-cased), which are never the answer.
 */
/** Whether a word of the question is a name ending in the number ("v4", "es2015", "node20"). */
export function namesNumber(questionWords: Set<string>, number: string): boolean {
  return [...questionWords].some(
    (word) => word !== number && new RegExp(`^\\p{L}+${number}$`, "u").test(word),
  );
}

export function directSpan(
  text: string,
  kind: Asks,
  anchors: number[],
  questionWords: Set<string>,
  plural = false,
  time = false,
  type: Set<string> = new Set(),
): { text: string; start: number; end: number } | undefined {
  const candidates = candidatesFor(text, kind, plural, time).filter((candidate) => {
    const words = text
      .slice(candidate.start, candidate.end)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu);
    return (
      candidate.end - candidate.start <= SPAN_MAX &&
      // A value may be a symbol alone ("#", "="); other answers have words, not all the question's.
      (words === null ? kind === "value" : !words.every((word) => questionWords.has(word))) &&
      !otherBound(text, candidate.start, questionWords) &&
      // "How many… can uuid.V4 generate?": the 4 of "version 4" is the name's, not a count.
      !(words?.length === 1 && /^\d+$/.test(words[0]) && namesNumber(questionWords, words[0]))
    );
  });
  if (candidates.length === 0) return undefined;
  const distance = (candidate: Candidate) =>
    anchors.length === 0
      ? candidate.start
      : Math.min(
          ...anchors.map((at) =>
            at < candidate.start
              ? candidate.start - at
              : at >= candidate.end
                ? at - candidate.end
                : 0,
          ),
        );
  // "Which MISSION does he head?": a name that says what kind of thing it is ("the Chinese Mission")
  // answers before one that does not ("Geneva").
  const stems = new Set([...type].map((word) => stem(word)));
  const named = (candidate: Candidate) =>
    (text.slice(candidate.start, candidate.end).match(/[\p{L}\p{N}]+/gu) ?? []).some((word) =>
      stems.has(stem(word.toLowerCase())),
    )
      ? -TYPE_NAMED
      : 0;
  const cost = (candidate: Candidate) => distance(candidate) + candidate.penalty + named(candidate);
  const best = candidates.reduce((a, b) => (cost(b) < cost(a) ? b : a));
  return { text: text.slice(best.start, best.end), start: best.start, end: best.end };
}

/**
 * Whether the number at `start` is labelled as the other bound than the one asked for: "how many…
 * at MOST?" is not answered by "Minimum: `1`", nor "the minimum…" by "Maximum: 10".
 */
function otherBound(text: string, start: number, questionWords: Set<string>): boolean {
  const before = text.slice(Math.max(0, start - BOUND_LABEL_CHARS), start).toLowerCase();
  const asksMax = ["most", "max", "maximum", "highest", "largest"].some((w) =>
    questionWords.has(w),
  );
  const asksMin = ["least", "min", "minimum", "lowest", "smallest"].some((w) =>
    questionWords.has(w),
  );
  if (asksMax && !asksMin) return /\b(?:min(?:imum)?|at least)\W*$/.test(before);
  if (asksMin && !asksMax) return /\b(?:max(?:imum)?|at most|up to)\W*$/.test(before);
  return false;
}

function candidatesFor(text: string, kind: Asks, plural: boolean, time: boolean): Candidate[] {
  const { words, entities } = tag(text);
  const dates = [
    ...entities.filter((e) => e.type === "DATE" || e.type === "TIME"),
    ...[...text.matchAll(DATES)].map((m) => ({
      start: m.index ?? 0,
      end: (m.index ?? 0) + m[0].length,
    })),
  ];
  const inDate = (start: number, end: number) => dates.some((d) => start < d.end && end > d.start);
  if (kind === "when") {
    // "What time…?" asks for the time of day, not the date beside it.
    const times = [...text.matchAll(/\b\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?/gi)].map((m) => ({
      start: m.index ?? 0,
      end: (m.index ?? 0) + m[0].length,
      penalty: 0,
    }));
    if (time && times.length > 0) return times;
    // A time that is not a date: "in a timely manner", "during and after the pandemic".
    const spans = [...text.matchAll(TIME_PHRASE)].map((m) => ({
      start: m.index ?? 0,
      end: (m.index ?? 0) + m[0].length,
      penalty: TIME_PHRASE_PENALTY,
    }));
    return [...merge(dates).map((d) => ({ ...d, penalty: 0 })), ...spans];
  }
  if (kind === "count" || kind === "amount") {
    const amounts = entities.filter((e) =>
      kind === "amount"
        ? ["MONEY", "PERCENT", "CARDINAL", "QUANTITY"].includes(e.type)
        : e.type === "CARDINAL",
    );
    const numbers = words.filter((w) => w.pos === "NUM" && !inDate(w.start, w.end));
    return merge([...amounts, ...numbers].filter((n) => !inDate(n.start, n.end))).map((n) => ({
      ...n,
      penalty: 0,
    }));
  }
  if (kind === "value") {
    // "Default: `info`", "(default: 10)", "defaults to `true`", "(default +1)".
    const values = [
      ...text.matchAll(
        /\bdefaults?\b(?:\s+value)?(?:\s+is|\s+to|\s*:|\s*=|(?=\s+[+-]?\d))\s*(`[^`\n]+`|"[^"\n]*"|'[^'\n]*'|[+-]?[\w.-]+)/gi,
      ),
    ].map((m) => {
      const at = (m.index ?? 0) + m[0].length - m[1].length;
      return { start: at, end: at + m[1].length, penalty: 0 };
    });
    if (values.length > 0) return values;
  }
  if (kind === "name") {
    const quoted = [...text.matchAll(/["“]([^"”]{3,80}?)[,.;:]?["”]/g)].map((m) => ({
      start: (m.index ?? 0) + 1,
      end: (m.index ?? 0) + 1 + m[1].length,
      penalty: 0,
    }));
    if (quoted.length > 0) return quoted;
    // "…an alias to `convert` called `htmlToText`": what follows "called" or "named" is the name.
    const called = [
      ...text.matchAll(
        /\b(?:called|named|aliased as|known as)\s+(`[^`\n]{1,60}`|\p{Lu}[\p{L}\p{N}]*(?:\s+\p{Lu}[\p{L}\p{N}]*)*)/gu,
      ),
    ].map((m) => {
      const at = (m.index ?? 0) + m[0].length - m[1].length;
      return { start: at, end: at + m[1].length, penalty: 0 };
    });
    if (called.length > 0) return called;
  }
  const out: Candidate[] = [];
  // "In which version…?": a version as documentation writes it ("Version 9", "v2.1.0").
  if (kind === "which") {
    for (const m of text.matchAll(
      /\b(?:[Vv]ersion|[Rr]elease)\s+\d+(?:\.\d+)*\b|\bv\d+(?:\.\d+)+\b/g,
    ))
      out.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, penalty: 0 });
  }
  // Code in backticks names functions, options and values in documentation (not places).
  if (kind !== "where") {
    for (const m of text.matchAll(/`([^`\n]{1,60})`/g)) {
      out.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, penalty: 10 });
    }
  }
  // Runs of proper nouns ("Chen Xu", "Human Rights Council"), joined into lists ("Belarus, Cuba").
  const runs: { start: number; end: number }[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i].pos !== "PROPN") continue;
    let j = i;
    while (
      j + 1 < words.length &&
      words[j + 1].pos === "PROPN" &&
      words[j + 1].start - words[j].end <= 1
    )
      j++;
    runs.push({ start: words[i].start, end: words[j].end });
    i = j;
  }
  const names = runs.filter((run) => !inDate(run.start, run.end));
  for (let i = 0; i < names.length; i++) {
    let j = i;
    while (
      j + 1 < names.length &&
      /^,\s*$|^,?\s+and\s+$/.test(text.slice(names[j].end, names[j + 1].start))
    )
      j++;
    const run = { start: names[i].start, end: names[j].end };
    const before = text.slice(Math.max(0, run.start - 6), run.start).toLowerCase();
    const written = text.slice(run.start, run.end);
    let penalty = /\bthe\s+$/.test(before) ? AFTER_ARTICLE : 0;
    if (kind === "who" && /^\p{Lu}{2,5}$/u.test(written)) penalty += ACRONYM;
    // A place follows "in", "at" or "from", or opens a dateline ("GENEVA, March 23 --").
    const dateline = run.start === 0 && /^\p{Lu}+$/u.test(written) && text[run.end] === ",";
    if (kind === "where" && !/\b(in|at|from)\s+$/.test(before) && !dateline) penalty += NOT_A_PLACE;
    // "Which countries…" asks for several: a list of names answers it better than one.
    if (plural && j === i) penalty += SINGLE_OF_MANY;
    out.push({ ...run, penalty });
    if (j > i) out.push({ start: names[i].start, end: names[i].end, penalty: penalty + 30 });
    i = j;
  }
  if (kind === "where") {
    // A place that is not a name: "in developing countries".
    for (let i = 0; i < words.length - 1; i++) {
      if (!/^(in|at|from|across|throughout)$/i.test(words[i].text)) continue;
      let j = i + 1;
      while (j < words.length && j - i <= 4 && /^(DET|ADJ|VERB|NOUN|PROPN)$/.test(words[j].pos)) {
        if (/^(NOUN|PROPN)$/.test(words[j].pos)) {
          out.push({ start: words[i + 1].start, end: words[j].end, penalty: 20 });
        }
        j++;
      }
    }
  }
  return out;
}

/** Overlapping spans merged into one. */
function merge(spans: { start: number; end: number }[]): { start: number; end: number }[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: { start: number; end: number }[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else out.push({ start: span.start, end: span.end });
  }
  return out;
}

/** A word that ends no phrase: a conjunction, preposition, article, adverb or relative pronoun. */
function endsNothing(word: { text: string; pos: string }): boolean {
  return (
    ["CCONJ", "ADP", "DET", "ADV"].includes(word.pos) ||
    (word.pos === "PUNCT" && !/^[`)]$/.test(word.text)) ||
    (word.pos === "PRON" && /^(that|which|who|whom|whose)$/i.test(word.text))
  );
}

/** Words between a verb and its object that are not the object ("calls ON the states"). */
const PARTICLES = /^(on|upon|for|to|at|with|about|into|in)$/i;

/**
 * For "who does the resolution CALL ON…?", "which organizations does it ENCOURAGE…?": the object
 * of the question's verb where the text uses it ("calling on THE STATES AND OTHER STAKEHOLDERS to
 * engage"), up to the next verb or clause; a long list keeps what follows "including".
 */
export function objectSpan(
  text: string,
  verbs: ((word: string) => boolean)[],
  /** The verb as the question writes it, whatever the tagger makes of it in the text. */
  anyTag = false,
): { text: string; start: number; end: number } | undefined {
  const { words } = tag(text);
  // The first verb of the question the text uses; of its places, the first with an object
  // ("capacity-BUILDING, … and jointly BUILDING a community…").
  for (const verb of verbs) {
    const places = words.flatMap((word, i) =>
      (anyTag || word.pos === "VERB") && verb(word.text) ? [i] : [],
    );
    if (places.length === 0) continue;
    for (const at of places) {
      const found = objectAt(text, words, at, anyTag);
      if (found) return found;
    }
    return undefined;
  }
  return undefined;
}

/** The object after the verb at words[at], as objectSpan takes it. */
function objectAt(
  text: string,
  words: { text: string; pos: string; start: number; end: number }[],
  at: number,
  anyTag: boolean,
): { text: string; start: number; end: number } | undefined {
  let i = at + 1;
  while (
    i < words.length &&
    (PARTICLES.test(words[i].text) ||
      (anyTag && /^(up|out|off|down|over)$/i.test(words[i].text))) &&
    words[i].pos !== "PART"
  )
    i++;
  const first = i;
  while (
    i < words.length &&
    (!["VERB", "AUX", "PART", "SCONJ"].includes(words[i].pos) ||
      /^including$/i.test(words[i].text) ||
      // "a community of SHARED future": a participle after "of" or an article describes a noun.
      (anyTag && i > first && words[i].pos === "VERB" && /^(ADP|DET)$/.test(words[i - 1].pos))) &&
    !/^[.;:!?"“”()]$/.test(words[i].text) &&
    // "version 4 UUIDS, HOWEVER the other versions…": a comma before an adverb or a subordinating
    // word ends the phrase; one inside a list ("Belarus, Cuba, and Egypt") does not.
    !(words[i].text === "," && /^(ADV|SCONJ)$/.test(words[i + 1]?.pos ?? ""))
  )
    i++;
  // "…consultation and cooperation, AND uphold…", "a promise THAT settles…": what ends a phrase
  // before the next verb is not part of it.
  while (anyTag && i > first && endsNothing(words[i - 1])) i--;
  // An object starts with a word, not with the comma of another clause (", and `15`…").
  if (i === first || /^[,;]$/.test(words[first].text)) return undefined;
  let start = words[first].start;
  let end = words[i - 1].end;
  while (end > start && /[,\s]/.test(text[end - 1])) end--;
  const including = /\b(?:including|such as)\s+/i.exec(text.slice(start, end));
  if (end - start > SPAN_MAX && including) start += including.index + including[0].length;
  return end - start <= SPAN_MAX && end > start
    ? { text: text.slice(start, end), start, end }
    : undefined;
}

// The kinds of thing a "which …?" question about software asks for: an identifier answers it.
const CODE_KINDS =
  /^(functions?|methods?|options?|class(?:es)?|events?|propert(?:y|ies)|settings?|parameters?|params?|flags?|commands?|variables?|fields?|hooks?|types?|constructors?|callbacks?|helpers?|exports?|aliases?)$/i;
// An identifier written in code: a camelCase, snake_case or dotted name, or one called "name(".
const IDENTIFIER = /(?<![\w$.])[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:\(\))?/g;

/** Whether a word names a kind of thing code names: "method", "Events", "options"... */
export function isCodeKind(word: string): boolean {
  return CODE_KINDS.test(word);
}

/** Whether the kind of thing asked for ("which METHOD…") is something code names. */
export function asksForIdentifier(type: Iterable<string>): boolean {
  return [...type].some(isCodeKind);
}

/**
 * For "which function turns a WebSocket into a stream?": the identifier of the text whose own
 * words (createWebSocketStream → create, web, socket, stream) share the most with the question,
 * but that is not made of the question's words alone. Undefined when none shares two words.
 */
export function identifierSpan(
  text: string,
  questionStems: Set<string>,
  /** The stems of the question's own plain words, not of the names it writes. */
  plainStems: Set<string> = new Set(),
): { text: string; start: number; end: number } | undefined {
  let best: { text: string; start: number; end: number; shared: number } | undefined;
  // A link's address ("…/classes/MiniSearch.MiniSearch.html") names a page, not code: blanked,
  // so that offsets stay those of the text.
  const unlinked = text.replace(/\]\([^)\s]*\)|\bhttps?:\/\/\S+/g, (link) =>
    " ".repeat(link.length),
  );
  for (const match of unlinked.matchAll(IDENTIFIER)) {
    const written = match[0];
    const parts = written.split(/[^\p{L}\p{N}]+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})/u).filter(Boolean);
    // A single plain word ("return", "queue") is not an identifier worth naming.
    if (parts.length < 2 || written.length > SPAN_MAX) continue;
    const stems = parts.map((part) => stem(part.toLowerCase()));
    // What it calls may be a word the question says itself: `miniSearch.search` for "which
    // method runs a SEARCH in MiniSearch?" is then an answer, though all its words are asked ("Node.js" calls no "js").
    // So is a name made only of the question's plain words (`openPipe` for "which method OPENS
    // a PIPE?"); one made of the names it writes (`flowKit` for "flow-kit") restates them.
    const called = (written.split(/\.|::/).pop() ?? "").replace(/\(\)$/, "");
    const callsAsked =
      (/^\p{L}{3,}$/u.test(called) && plainStems.has(stem(called.toLowerCase()))) ||
      stems.every((s) => plainStems.has(s));
    const shared = new Set(stems.filter((s) => questionStems.has(s))).size + Number(callsAsked);
    if (shared < 2 || (stems.every((s) => questionStems.has(s)) && !callsAsked)) continue;
    // What a qualified name calls must be what is asked: `MiniSearch.getDefault` shares only
    // its owner's name with "which method runs a search in MiniSearch?".
    const calledStems = called
      .split(/[^\p{L}\p{N}]+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})/u)
      .filter(Boolean)
      .map((part) => stem(part.toLowerCase()));
    if (called !== written.replace(/\(\)$/, "") && !calledStems.some((s) => questionStems.has(s)))
      continue;
    if (!best || shared > best.shared) {
      const start = match.index ?? 0;
      best = { text: written, start, end: start + written.length, shared };
    }
  }
  return best && { text: best.text, start: best.start, end: best.end };
}
