import { loadWordVectors, type WordVectors } from "../embeddings/wordVectors.js";
import type { RetrievedChunk } from "../retrieval/hybrid.js";
import { memo } from "../text/memo.js";
import { plainInline } from "../text/structure.js";
import { contentWords, STOP_WORDS, stem, tokens } from "../text/tokens.js";
import { cutToClauses, MIN_KEPT_WITH_ANSWER } from "./clauses.js";
import { DEMAND_QUESTION, demandsOf } from "./demands.js";
import { tag } from "./nlp.js";
import {
  type Asks,
  asks,
  asksForIdentifier,
  directSpan,
  identifierSpan,
  isCodeKind,
  namesNumber,
  objectSpan,
  SPAN_MAX,
} from "./span.js";
import { REFUSAL, type Source } from "./types.js";
import { DEFAULT_IN_LABEL, HEADLINE_WORDS, isMarkup, type Unit, unitsOf } from "./units.js";

/** Two words count as the same idea from this cosine similarity of their vectors up. */
const SOFT_MATCH = 0.6;
/** What a soft match counts for, against 1 for the word itself: to decide whether to answer... */
const SOFT_CREDIT = 0.9;
/** ...and to choose the unit, where the document's own words should win. */
const SOFT_RANK_CREDIT = 0.5;
/** What a word found only around a unit (its headings, its list's lead-in) counts for in choosing it. */
const CONTEXT_RANK_CREDIT = 0.6;
/** Share of the question's weighted terms the retrieved text must cover to be an answer. */
const MIN_COVERAGE = 0.7;
/** Share of the question's weighted terms the quoted unit, with its context, must cover. */
const MIN_UNIT_COVERAGE = 0.6;
/** The focus of the question (what it asks about) must be in the unit at this similarity or more. */
const FOCUS_MATCH = 0.7;
/** A number, amount or date counts as "next to" the focus within this many characters. */
const NEAR = 60;
/** A second unit is quoted too when it scores this close to the best (and no direct answer was found). */
const SECOND_UNIT = 0.85;
/** ...and a sentence of a code block's section, at this share of its score, explains the code. */
const PROSE_WITH_CODE = 0.7;
/** Bonus for a unit holding the kind of answer the question asks for (a name, a date...). */
const EXPECTED_BONUS = 0.15;
/** Weight of the framing verbs ("demand", "propose") in choosing a unit. */
const FRAMING_BONUS = 0.3;
/** A lead is a full sentence: a caption or a heading is shorter. */
const LEAD_MIN = 100;
/** A document says first what matters most (news leads with who, what, when): a tie-breaker. */
const LEAD_BONUS = 0.03;
/** ...fading over this many characters. */
const LEAD_CHARS = 3000;
/** What a word naming the kind of answer ("which COUNTRY") counts for in choosing, against a framing word. */
const TYPE_CREDIT = 0.3;
/** Weight of the question's words found in an item's or row's label (`fps`, the first cell). */
const LABEL_BONUS = 0.5;
/** Share of the question's topic words a question heading must hold to name its section's answer. */
const ASKED_COVERAGE = 0.5;
/** Weight of the chunk's similarity to the question, which breaks ties. */
const SIMILARITY_BONUS = 0.05;
/** For a question made of framing words alone, the similarity a unit needs. */
const FRAMING_ONLY_MATCH = 0.5;
/** How many of the best units are checked for a span of the asked kind. */
const RERANK = 5;
/** A code block is quoted for "how do I…" questions; for others it counts for this much. */
const CODE_WEIGHT = 0.6;
/** Sentences looked back within a paragraph for what the chosen one is about ("Version 9 …"). */
const PARAGRAPH_BACK = 2;
/** A document's name is a title of at most this many words (a package's, a product's). */
const NAME_WORDS = 3;
/** The kinds of code a setting of an example is: "which OPTION…" may be answered by its key. */
const SETTING_KINDS = /^(options?|settings?|fields?|parameters?|params?|flags?|keys?)$/i;
/** The kinds of code that are read, not called ("which PROPERTY…"): their names have no "()". */
const PROPERTY_KINDS = /^(propert(?:y|ies)|fields?|attributes?)$/i;
/** The kinds of code a document names as code (`.clear()`, `.size`, `search(query)`). */
const NAMED_KINDS = /^(methods?|functions?|propert(?:y|ies))$/i;
/** A heading that names a method or property (`.pause()`, `::setTotal()`, `.isPaused`). */
const CODE_HEADING = /^`?(?:(?:::|\.)[\w$.]+(?:\(.*\))?|[\w$.]+\(.*\))`?$/;
/** A question about an example, which is code. */
const EXAMPLE = /\b(?:example|snippet|sample)s?\b/i;
/** A question answered by yes or no. */
const YES_NO = /^\s*(?:does|do|did|is|are|was|were|can|could|will|would|should|has|have)\b/i;
/** At most this many demands are listed. */
const DEMANDS_MAX = 5;

// Words that frame a question about a text ("what does the article say?", "what does the example set?")
// rather than name its topic: they help choose the sentence but a document need not contain them.
const FRAMING = new Set(
  "demand requir want ask request call urg mean discuss cover concern happen stat talk propos suggest purpos aim goal list text articl stori report document doc piec page readm passag write-up exampl snippet sampl".split(
    " ",
  ),
);

// Where in the document a thing stands ("the picture AT THE TOP OF THE ARTICLE") says which part
// of it is meant, not what the part holds: only "the article" is kept, a framing word.
const PLACE_IN_THE_DOCUMENT =
  /\b(?:at|in|on|near|from)\s+the\s+(?:very\s+)?(?:top|beginning|start|end|bottom|head)\s+of\s+(?:the|this|that)\s+(text|article|story|report|document|page|piece|readme|news(?:\s+item)?)\b/gi;
// A name joined to a participle, which makes it the doer: "China-sponsored", "US-led".
const AGENT_COMPOUND =
  /(?<![\p{L}-])(\p{Lu}[\p{L}.]*(?:\s+\p{Lu}[\p{L}.]*){0,3})-(\p{Ll}+(?:ed|en|led|ld|ght|de))\b/gu;
// A preposition a question ends with, whose object is what it asks for ("split documents ON?").
const STRANDED = /^(up|out|off|down|over|on|for|to|with|about|into|from|in|at|by)$/i;
// "What does .start() return?", "what must countries step up?": a question for what follows a verb.
const WHAT_OBJECT =
  /^\s*what\s+(?:does|do|did|should|must|will|would|can|could|shall|may|might)\s+([^?]+?)\s*\??\s*$/i;
// The words of a question that asks what something is called: its answer is the name itself.
const NAMING = /^(name|names|title|titled|called|named)$/;
const NUMBER =
  /\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|dozen|hundred|thousand|million|billion)\b|[$€£¥]\s?\d/gi;
const DATE =
  /\b(january|february|march|april|may|june|july|august|september|october|november|december|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?|yesterday|today|(1[89]|20)\d\d|\d{1,2}:\d\d)\b/gi;
// A question that asks how to do something, which an example in code can answer.
const HOW_TO = /\bhow (?:do|can|should|would|to)\b|\bexample|\bcode\b|\bsnippet|\bsyntax\b/i;
// ...and only how to do it, which a value does not answer.
const HOW_DO = /\bhow (?:do|can|should|would|to)\b/i;
// "What does the fuzzy option DO?", "what is X FOR?": what it is for, not the value an example gives.
const DESCRIBE =
  /^\s*what\s+(?:(?:does|do|did)\s+.+?\s(?:do|mean)\b|(?:is|are)\s+.+?\sfor\s*\?*\s*$)/i;
// "When…?" is also answered by a time that is not a date: "in a timely manner", "after the
// pandemic", "at dawn", "at 9 am".
const TEMPORAL =
  /\b(during|after|before|until|since|within|timely|soon|immediately|daily|weekly|every|dawn|dusk|noon|midnight|morning|afternoon|evening|night|sunrise|sunset|tomorrow|tonight|weekends?|\d{1,2}\s?[ap]\.?m\b\.?)\b/gi;
// "Who is Chen Xu?": a name, answered by what follows it between commas.
const WHO_IS = /^\s*who\s+(?:is|was)\s+(.+?)\s*\??\s*$/i;
// "What is the resolution about?", "what's this article about?": the document's lead answers it.
const ABOUT = /^\s*what(?:'s|\s+is|\s+was)\s+(?:the\s+|this\s+|it\s*)?(?:\w+\s+)?about\s*\??\s*$/i;
// Verbs that say little of what is asked ("which standard does it NEED?"): never the focus.
const LIGHT_VERBS = new Set(
  "need needs needed use uses used using have has had get gets got make makes made do does did work works go goes run runs support supports supported provide provides allow allows let lets take takes give gives come comes happen happens include includes included hold holds held".split(
    " ",
  ),
);
// Adjectives that change which value is asked for: "the MINIMUM version" is not "the version".
const LIMITING =
  /^(min(imum)?|max(imum)?|first|last|latest|earliest|oldest|newest|largest|smallest|highest|lowest|total|average|default|initial|final|current|previous|next)$/i;
// "Who does the resolution call on…?", "which organizations does it encourage…?": the answer is
// the object of the question's verb.
const OBJECT_QUESTION =
  /^\s*(?:who|whom|which\s+[\w-]+(?:\s+[\w-]+)?)\s+(?:does|do|did|should|will|would|must)\b/i;
// "Who sponsored…?", "which countries opposed…?": a question whose subject is what it asks for,
// its verb right after the question word and the kind asked for.
const SUBJECT_QUESTION =
  /^\s*(?:who|which\s+[\w-]+)\s+(?!(?:is|are|was|were|does|do|did|can|could|should|will|would|has|have|had|must|may|might)\b)[\w-]+/i;
// A question that asks for several names: "which countries…", "who were the co-sponsors?".
const PLURAL =
  /\b(?:which|what)\s+(?:\w+\s+)?\w+[^s\W]s\b|\bwho\s+(?:are|were)\b|\bwhat\s+(?:are|were)\s+the\s+\w+s\b/i;
// "What does the resolution demand?": the words between the auxiliary and the demand verb.
const SUBJECT =
  /\b(?:does|do|did|is|are|was|were|will|would)\s+(.+?)\s+(?:demand|call|urge|propos|request|ask|want|recommend|require|push|encourag|emphasi[sz]|stress|invit)/i;
// Nouns that name a part or kind of something else: what is asked about follows their "of".
const PARTITIVE =
  /^(parts?|kinds?|types?|sorts?|pieces?|portions?|sides?|ends?|sections?|bits?|lots?|sets?|groups?|values?)$/i;
// Punctuation a tagger splits out of a name ("Node.js", "p-queue", "author.name").
const INNER_PUNCTUATION = /^[.\-_/]$/;
// A question put to the bot itself ("can you recommend…", "could you suggest…"), not about a text.
// A participle between a determiner and its noun ("the proposed meeting") describes the noun.
const ATTRIBUTIVE = /\b(?:the|a|an|its|their|this|that|these|those)\s+\w+ed\s+(?=\w)/gi;
const ASKS_THE_READER = /^\s*(?:can|could|would|will)\s+you\b/i;
// Adverbs that are not the subject ("what is the text ACTUALLY asking?").
const ADVERB = /^(actually|really|exactly|just|also|still|even|currently|now|here|specifically)$/i;
const CAPITALIZED = /(?<!^|[.!?]\s+)\b\p{Lu}[\p{L}\p{N}-]*/gu;

export interface ExtractiveResult {
  answered: boolean;
  answer: string;
  sources: Source[];
}

const REFUSED: ExtractiveResult = { answered: false, answer: REFUSAL, sources: [] };

interface Term {
  word: string;
  stem: string;
  /** A proper name or acronym: only the same word matches it. */
  name: boolean;
  framing: boolean;
  weight: number;
  /** Position in the word vectors, for similar words; undefined for names and unknown words. */
  rank?: number;
  /** ...and of its base form, when that is a more frequent word ("empty" for "empties"). */
  base?: number;
}

interface Words {
  /** Lower-cased words, stop words left out. */
  words: string[];
  /** Stems of the words that were not capitalized mid-sentence (names match only as written). */
  stems: Set<string>;
  /** Two neighbouring words written as one ("Multi Bar" → "multibar"), as questions often do. */
  joined: Set<string>;
  /** Positions of the words in the word vectors. */
  ranks: number[];
  /** The best cosine of one of the words to a word (by rank), once computed. */
  closest: Map<number, number>;
}

interface Candidate {
  unit: Unit;
  text: Words;
  context: Words;
  label?: Words;
  /** The heading above, when it is a question ("How to connect via a proxy?"). */
  asked?: Words;
}

/** The terms a unit must hold: all of them, or the question's verb when one is given. */
type Focus = number[] & { verb?: number };

interface Scored {
  candidate: Candidate;
  score: number;
}

/**
 * Answers by quoting: picks the retrieved units (sentences, list items, table rows, values under
 * their heading) that cover the question's terms, leads with the short span that answers it when
 * the question asks for one (a name, a date, a number), cuts the quote to the clauses that matter,
 * and refuses when the retrieved text does not hold what is asked. It never writes anything that
 * is not in the documents.
 */
/** Texts whose words are kept: units, their headings and single words, of many answers. */
const WORDS_KEPT = 50_000;

export class ExtractiveAnswerer {
  constructor(private readonly vectors: WordVectors) {}

  /** The content words of a text, their stems and their ranks in the table (read-only, kept). */
  readonly words: (text: string) => Words = memo((text) => this.wordsNow(text), WORDS_KEPT);

  static async create(): Promise<ExtractiveAnswerer> {
    return new ExtractiveAnswerer(await loadWordVectors());
  }

  answer(question: string, retrieved: RetrievedChunk[]): ExtractiveResult {
    // "What fps does the P-QUEUE example set?": a question that names a document by its name
    // asks about that document, not about another that holds its words.
    const documentsNamed = namedDocuments(question, retrieved);
    const chunks =
      documentsNamed.size === 0
        ? retrieved
        : retrieved.filter((chunk) => documentsNamed.has(chunk.metadata.documentId));
    const passage = chunks
      .map((chunk) => `${chunk.metadata.title}\n${chunk.pageContent}`)
      .join("\n")
      .toLowerCase();
    const terms = this.terms(question, passage);
    // "Which COUNTRY sponsored it?": the kind of thing asked for is rarely written next to it
    // ("China-sponsored"): like a framing word, it helps choose but is not required.
    const type = answerType(question);
    const asked = asks(question);
    const codeNames = codeNamesOf(question);
    // The word right after "what"/"which": the kind asked for, when it is a noun.
    const kindWord = /\b(?:what|which)\s+([\p{L}\p{N}]+)/iu.exec(question)?.[1].toLowerCase();
    for (const term of terms) {
      // ...but in a default-value question it names the setting whose value is asked. A kind the
      // retrieved text never names, not even by a close word ("what CONCURRENCY does
      // html-to-text set?"), is what is asked about, and must be found; the kinds of code ("which
      // PROPERTY…") name what documentation lists under headings.
      if (
        type.has(term.word) &&
        asked !== "value" &&
        (term.word !== kindWord || isCodeKind(term.word) || this.inPassage(term, passage))
      )
        term.framing = true;
      // "What is the NAME of the resolution?": a title is written in quotes, not called a name.
      if (asked === "name" && NAMING.test(term.word)) term.framing = true;
      // "What does the create() METHOD return?": the kind of a name written as code is known.
      if (codeNames.length > 0 && isCodeKind(term.word)) term.framing = true;
    }
    if (ABOUT.test(question)) {
      const lead = leadOf(
        chunks,
        terms.filter((term) => !term.framing).map((term) => term.stem),
      );
      if (lead) return this.quote([this.candidate(lead)], terms, undefined, question);
    }
    const headlineWords = this.words(HEADLINE_WORDS);
    const asksHeadline = terms.some((term) => this.similarity(term, headlineWords) === 1);
    let candidates = unitsOf(chunks)
      .filter((unit) => !unit.headline || asksHeadline)
      // Code answers "how do I…?" and "which function…?"; elsewhere its identifiers would match
      // anything.
      .map((unit) =>
        this.candidate(
          unit,
          HOW_TO.test(question) || /[`()._]/.test(question) || asksForIdentifier(type),
        ),
      );
    // A setting of a code example ("fps: 5,") answers what it is set to: only a question that
    // names it in full, does not set it itself ("what does sizeBy({priority: 0}) return?"), and
    // does not ask how to do something.
    const stems = new Set(terms.map((term) => term.stem));
    // An example's value is a default only where the text says so ("// Defaults to…", "Below
    // options specified as default values").
    const asksDefault = /\bdefault/i.test(question);
    // "Which OPTION lists the fields to return?": a setting whose comment says so answers with
    // its name.
    const asksName = asksSettingName(asked, type);
    const asksValue = ({ label = "", text, context, value }: Unit) =>
      (asksName || (value !== undefined && partsOf(label).every((part) => stems.has(part)))) &&
      !new RegExp(`\\b${label.replace(/\$/g, "\\$")}\\s*[:=]`).test(question) &&
      !HOW_DO.test(question) &&
      // What it does only a comment on its line says ("backoff: 250, // milliseconds between…").
      (!DESCRIBE.test(question) || /\s(?:\/\/|#)\s/.test(text)) &&
      (!asksDefault || /\bdefault/i.test(`${text}\n${context}`)) &&
      // The names the question gives ("Chen Xu") stand with it, as with any unit chosen.
      terms.every(
        (term) => !term.name || this.similarity(term, this.words(`${text}\n${context}`)) === 1,
      );
    // A line's result ("//=> 2") answers a question that writes the line's expression itself.
    const bare = (text: string) => text.replace(/\s+/g, "");
    const asksResult = ({ label = "" }: Unit) =>
      label.length > 0 && bare(question).includes(bare(label));
    candidates = candidates.filter(
      (c) =>
        (c.unit.kind !== "setting" || asksValue(c.unit)) &&
        (c.unit.kind !== "result" || asksResult(c.unit)),
    );
    // "What CONCURRENCY does the example set?": the kind asked for is the setting's name, its topic.
    const settingParts = new Set(
      candidates.flatMap((c) => (c.unit.kind === "setting" ? partsOf(c.unit.label ?? "") : [])),
    );
    for (const term of terms)
      if (settingParts.has(term.stem) && type.has(term.word)) term.framing = false;
    // ...and then the value is asked, which the setting gives better than the whole example.
    const namesSetting = candidates.some((c) => c.unit.kind === "setting");
    // "What baseUrl does THE EXAMPLE give links?": the value an example sets, not the table's.
    if (namesSetting && EXAMPLE.test(question))
      candidates = candidates.filter((c) => c.unit.kind === "setting");
    const codeWeight = (unit: Unit) =>
      unit.kind === "code" && (namesSetting || !HOW_TO.test(question)) ? CODE_WEIGHT : 1;
    if (terms.length === 0 || candidates.length === 0) return REFUSED;
    const kind = asks(question);
    // Similarity of each term to each unit's own words, and to the words around it.
    const inText = candidates.map((c) => terms.map((term) => this.similarity(term, c.text)));
    const inContext = candidates.map((c) => terms.map((term) => this.similarity(term, c.context)));
    const matrix = inText.map((row, c) => row.map((sim, t) => Math.max(sim, inContext[c][t])));
    const best = terms.map((_, t) => Math.max(...matrix.map((row) => row[t])));
    const sum = (credit: (term: Term, t: number) => number) =>
      terms.reduce((total, term, t) => total + credit(term, t), 0);
    const topical = (term: Term) => !term.framing;

    // "Can YOU recommend…?" asks the bot, not what a document demands.
    // "What is the budget of THE PROPOSED meeting?" names a demand but does not ask for demands.
    // "What does it call on states to UPHOLD?" asks for the object of another verb, not demands.
    const [objectVerb] = askedVerbs(question);
    const asksDemands =
      DEMAND_QUESTION.test(question.replace(ATTRIBUTIVE, " ")) &&
      (objectVerb === undefined || LIGHT_VERBS.has(objectVerb) || DEMAND_QUESTION.test(objectVerb));
    if (!kind && asksDemands && !ASKS_THE_READER.test(question)) {
      const demands = this.demands(question, terms, candidates, best);
      if (demands) return demands;
    }

    // A question that names no topic ("what does it demand?", "who reported the story?") is about
    // the documents themselves: its framing words are all there is to choose a unit by.
    if (terms.every((term) => term.framing)) {
      if (Math.max(...best) < FRAMING_ONLY_MATCH) return REFUSED;
      const scored = candidates
        .map((candidate, c) => ({
          candidate,
          score:
            sum((term, t) => term.weight * matrix[c][t]) +
            (kind && fits(candidate.unit.text, kind, new Set()) ? EXPECTED_BONUS : 0),
        }))
        .filter((entry) => !kind || fits(entry.candidate.unit.text, kind, new Set()));
      if (scored.length === 0) return REFUSED;
      return this.quote(choose(scored, kind), terms, kind, question);
    }

    const total = sum((term) => (topical(term) ? term.weight : 0));
    const covered = sum((term, t) => (topical(term) ? term.weight * gateCredit(best[t]) : 0));
    // Similar words alone are not enough: at least one of the question's own words must be there.
    const anchored = terms.some((term, t) => topical(term) && best[t] === 1);
    if (!anchored || covered / total < MIN_COVERAGE) return REFUSED;

    // Within the retrieved text, a term found in every unit tells them apart less than a rare one.
    const rarity = terms.map((_, t) => {
      const found = matrix.filter((row) => row[t] === 1).length;
      return Math.log(1 + candidates.length / (1 + found));
    });
    const rankTotal = sum((term, t) => (topical(term) ? term.weight * rarity[t] : 0));
    const questionWords = new Set(terms.map((term) => term.word));
    // "How do I PAUSE the queue?": the method named by the question's verb (`.pause()`).
    const verbStems = new Set(
      (HOW_DO.test(question) ? tag(question).words : [])
        .filter((word) => word.pos === "VERB" && !LIGHT_VERBS.has(word.text.toLowerCase()))
        .map((word) => stem(word.text.toLowerCase())),
    );
    const focus = this.focus(question, terms);
    const phrases = namePhrases(question);
    // "Which countries OPPOSED it?": the text must say what the question says of the thing asked
    // for (its verb, or a word as close as a focus word); naming the countries is not it.
    const predicate =
      kind === "who" || kind === "which" ? this.predicate(question, terms, type) : undefined;
    // "How many updates… by default?": the default asked for is a number.
    const countsDefault = kind === "value" && /\bhow (?:many|much)\b/i.test(question);
    // "The default TIMEOUT": when a setting of that very name is documented, another setting whose
    // name merely holds the word ("throwOnTimeout") does not answer for it. A focus of several
    // words ("list item PREFIX") may be named by the longer name (`itemPrefix`).
    const names = new Set(candidates.map((c) => settingName(c.unit)).filter(Boolean));
    const named = focus.map((f) => terms[f].word).filter((word) => !LIMITING.test(word));
    const settings = named.length === 1 && names.has(named[0]) ? named : [];
    const scored = candidates
      .map((candidate, c) => {
        // A name found around the unit (the document's title) tells which document, fully.
        const own = (t: number) =>
          Math.max(inText[c][t], (terms[t].name ? 1 : CONTEXT_RANK_CREDIT) * inContext[c][t]);
        const credit = (term: Term, t: number) =>
          topical(term) ? term.weight * gateCredit(matrix[c][t]) : 0;
        const rank = (term: Term, t: number) =>
          topical(term) ? term.weight * rarity[t] * rankCredit(own(t)) : 0;
        const framing = (term: Term, t: number) =>
          term.framing ? term.weight * matrix[c][t] * (type.has(term.word) ? TYPE_CREDIT : 1) : 0;
        const scope = `${candidate.unit.text} ${candidate.unit.context}`;
        const namesFound =
          terms.every((term, t) => !term.name || matrix[c][t] === 1) &&
          phrases.every((phrase) => namesPhrase(scope, phrase));
        return {
          candidate,
          c,
          namesFound,
          coverage: sum(credit) / total,
          score:
            codeWeight(candidate.unit) * (sum(rank) / rankTotal) +
            (kind && fits(candidate.unit.text, kind, questionWords) ? EXPECTED_BONUS : 0) +
            (candidate.unit.kind === "list"
              ? PLURAL.test(question)
                ? EXPECTED_BONUS
                : -EXPECTED_BONUS
              : 0) +
            (FRAMING_BONUS * sum(framing)) / total +
            (LABEL_BONUS *
              sum((term) =>
                candidate.label && this.similarity(term, candidate.label) === 1 ? term.weight : 0,
              )) /
              total +
            this.askedBonus(candidate, terms, total) +
            (documents(candidate.unit, codeNames) || callsVerb(candidate.unit, verbStems)
              ? LABEL_BONUS
              : 0) +
            SIMILARITY_BONUS * candidate.unit.chunk.metadata.similarity +
            LEAD_BONUS * Math.max(0, 1 - candidate.unit.position / LEAD_CHARS),
        };
      })
      .filter(
        (entry) =>
          entry.namesFound &&
          entry.coverage >= MIN_UNIT_COVERAGE &&
          (predicate === undefined || matrix[entry.c][predicate] >= FOCUS_MATCH) &&
          this.holdsFocus(entry.candidate, entry.c, focus, kind, inText, inContext, terms) &&
          (kind !== "value" || !otherSetting(entry.candidate.unit, settings)) &&
          (!countsDefault ||
            /\d/.test(
              (
                defaultCell(entry.candidate.unit) ??
                directSpan(entry.candidate.unit.text, "value", [], questionWords)
              )?.text ?? "",
            )),
      );
    if (scored.length === 0) return REFUSED;
    if (
      kind === "who" ||
      kind === "where" ||
      kind === "when" ||
      kind === "count" ||
      kind === "amount"
    ) {
      // Of the best few, those that hold a name, place, date or number of the asked kind first.
      const top = [...scored].sort((a, b) => b.score - a.score).slice(0, RERANK);
      for (const entry of top) {
        const span = directSpan(entry.candidate.unit.text, kind, [], questionWords);
        if (span) entry.score += EXPECTED_BONUS;
      }
      return this.quote(choose(top, kind), terms, kind, question, candidates);
    }
    if (kind === "which" && asksForIdentifier(type)) {
      const stems = new Set(terms.map((term) => term.stem));
      const plain = plainStemsOf(terms);
      // "Which METHOD applies a plugin?": a passage that names no code ("The plugin API… apply…")
      // is no answer, however many of the question's words it has, when others name some
      // (`use(plugin|array)`, `miniSearch.search(…)` in an example).
      const identifiers = new Map(
        scored.map((entry) => [entry, identifierOf(entry.candidate.unit, type, stems, plain)]),
      );
      const pool = [...type].some((word) => NAMED_KINDS.test(word))
        ? scored.filter((entry) => identifiers.get(entry))
        : scored;
      const top = [...(pool.length > 0 ? pool : scored)]
        .sort((a, b) => b.score - a.score)
        .slice(0, RERANK);
      // A property or field has no parentheses: "which PROPERTY gives the size?" is `.size`, not
      // `.sizeBy(options)`.
      const property = [...type].some((word) => PROPERTY_KINDS.test(word));
      for (const entry of top) {
        const { unit } = entry.candidate;
        const found = identifiers.get(entry);
        if (found && !(property && found.text.includes("("))) entry.score += EXPECTED_BONUS;
        // The section that documents a name made of the question's words ("### ::setTotal()" for
        // "which method changes the TOTAL…?") is about it, more than one that mentions it.
        if (
          found &&
          namedBySection(unit, type)?.text === found.text &&
          partsOf(found.text).some((part) => plain.has(part))
        )
          entry.score += EXPECTED_BONUS;
        // So is a function the text calls whose name is the question's words (`openPipe(…)` for
        // "which method OPENS a PIPE?"): what a call does, its name says.
        const parts = found ? partsOf(found.text.replace(/\(.*$/, "")) : [];
        if (
          found &&
          !property &&
          parts.length > 1 &&
          parts.every((part) => plain.has(part)) &&
          (found.text.includes("(") ||
            unit.text
              .slice(found.start + found.text.length)
              .trimStart()
              .startsWith("("))
        )
          entry.score += EXPECTED_BONUS;
        // A row of the options table does not answer "which METHOD…".
        if (labelOfAnotherKind(unit, type)) entry.score -= EXPECTED_BONUS;
      }
      return this.quote(choose(top, kind), terms, kind, question, candidates);
    }
    return this.quote(choose(scored, kind), terms, kind, question, candidates);
  }

  /**
   * Whether the retrieved text holds the term's word or a close one. Its words are not kept, as a
   * unit's are: every question retrieves a text of its own.
   */
  private inPassage(term: Term, passage: string): boolean {
    return this.similarity(term, this.wordsNow(passage)) >= SOFT_MATCH;
  }

  /**
   * A unit with its words. Code is matched by its comments only, unless the question asks how to
   * do something or names code: its identifiers would match anything.
   */
  private candidate(unit: Unit, code = true): Candidate {
    const body =
      unit.kind === "code" && !code
        ? (unit.text.match(/(?:\/\/|#|\/\*|\*)\s.*$/gm) ?? []).join("\n")
        : unit.kind === "setting"
          ? settingWords(unit.text)
          : plainInline(unit.text);
    // The sentence that introduces code or a list ("to use a script tag:") is read as part of it.
    const text =
      unit.intro && (unit.kind === "code" || unit.kind === "list")
        ? `${plainInline(unit.intro)}\n${body}`
        : body;
    // A heading written as a question ("How to connect via a proxy?") is what the text under it
    // answers: its words are the text's own. The dateline does not write "filed" or "reported",
    // but that is what it tells.
    const asked = unit.heading?.trim().endsWith("?") ? unit.heading : undefined;
    const meant = [text, unit.means, asked].filter(Boolean).join("\n");
    return {
      unit,
      text: this.words(meant),
      // A labelled value ("Default: `true`") is about what its section describes.
      context: this.words(
        unit.kind === "line" && unit.section ? `${unit.context}\n${unit.section}` : unit.context,
      ),
      ...(unit.label ? { label: this.words(unit.label) } : {}),
      ...(asked ? { asked: this.words(asked) } : {}),
    };
  }

  /**
   * A heading that asks most of the question ("How to connect via a proxy?" for "how do I connect
   * through a proxy?") is answered by the text under it: a bonus as large as an option's label.
   */
  private askedBonus(candidate: Candidate, terms: Term[], total: number): number {
    const { asked } = candidate;
    if (!asked) return 0;
    const found = terms.reduce(
      (sum, term) =>
        sum + (!term.framing && !term.name && this.similarity(term, asked) === 1 ? term.weight : 0),
      0,
    );
    return found / total >= ASKED_COVERAGE ? (LABEL_BONUS * found) / total : 0;
  }

  /**
   * Whether a unit holds what the question asks about: its focus word (or a related form or close
   * synonym), and for how many / how much / when, a number, amount or date next to it.
   */
  private holdsFocus(
    candidate: Candidate,
    c: number,
    focusTerms: Focus,
    kind: Asks | undefined,
    inText: number[][],
    inContext: number[][],
    terms: Term[],
  ): boolean {
    const text = candidate.unit.text;
    // A limit the question sets ("the MINIMUM version") is a word of its own: "older" is not it.
    const needed = (f: number) => (LIMITING.test(terms[f].word) ? 1 : FOCUS_MATCH);
    const holds = (f: number) => Math.max(inText[c][f], inContext[c][f]) >= needed(f);
    // The question's verb, when the tagger could not tell it from a noun, may stand for the rest.
    const { verb } = focusTerms as Focus;
    if (!focusTerms.every(holds) && (verb === undefined || !holds(verb))) return false;
    const focus = focusTerms[focusTerms.length - 1];
    if (kind !== "count" && kind !== "amount" && kind !== "when") return true;
    const asked = new Set(terms.map((term) => term.word));
    const found = (kind === "when" ? [DATE, TEMPORAL] : [NUMBER]).flatMap((pattern) =>
      [...text.matchAll(pattern)]
        // "How many… can uuid.V4 generate?": the 4 of "version 4" counts nothing.
        .filter((match) => kind === "when" || !namesNumber(asked, match[0].trim()))
        .map((match) => match.index ?? 0),
    );
    if (found.length === 0) return false;
    if (kind === "when" || focus === undefined || inText[c][focus] < FOCUS_MATCH) return true;
    // The number must stand next to the thing counted, not anywhere in the sentence.
    const at = wordOffsets(text, terms[focus], this);
    return found.some((offset) => at.some((position) => Math.abs(position - offset) <= NEAR));
  }

  /**
   * The verb of a question whose subject is what it asks for ("who SPONSORED it?"), as a term; not
   * for a question about code ("which option sets…", "which protocolVersion selects…":
   * documentation words it its own way), nor a light or framing verb.
   */
  private predicate(question: string, terms: Term[], type: Set<string>): number | undefined {
    // "Which protocolVersion…" names code as the kind asked for, as "which option…" does.
    const code = /^\s*[Ww]hich\s+[a-z]+[A-Z]/.test(question);
    // "Which output stream DOES the example switch to?" asks for an object, as OBJECT_QUESTION.
    if (!SUBJECT_QUESTION.test(question) || OBJECT_QUESTION.test(question)) return undefined;
    if (asksForIdentifier(type) || code) return undefined;
    const { words } = tag(question);
    const verb = words.find((word) => word.pos === "VERB");
    if (!verb || LIGHT_VERBS.has(verb.text.toLowerCase())) return undefined;
    const t = terms.findIndex(
      (term) => term.word === verb.text.toLowerCase() && !term.framing && !term.name,
    );
    return t >= 0 ? t : undefined;
  }

  /**
   * The term the question asks about: the head noun of its first noun phrase ("the default
   * PRIORITY of…", "how many MEMBERS"), else its verb ("when was it FOUNDED?"), else its last
   * topical word.
   */
  private focus(question: string, terms: Term[]): Focus {
    const topical = terms
      .map((term, t) => ({ term, t }))
      .filter(({ term }) => !term.framing && !term.name);
    if (topical.length === 0) return [];
    const index = (word: string) => {
      const lower = word.toLowerCase();
      return topical.find(({ term }) => term.word === lower || term.stem === stem(lower))?.t;
    };
    const { words } = tag(question);
    // The first noun phrase with a topical noun: its nouns and adjectives ("minimum VERSION").
    let phrase: number[] = [];
    let head = false;
    let verbLike: number | undefined;
    for (const [i, word] of words.entries()) {
      // "the complete PART of the bar", "which KIND of search": the noun after "of" is the focus.
      if (PARTITIVE.test(word.text) && words[i + 1]?.text.toLowerCase() === "of") {
        phrase = [];
        head = false;
        continue;
      }
      // "Which option SETS the character…": a noun before an article may be the question's verb;
      // what follows is the focus, and the verb may stand for it (holdsFocus).
      if (word.pos === "NOUN" && words[i + 1]?.pos === "DET" && !head && verbLike === undefined) {
        verbLike = index(word.text);
        phrase = [];
        continue;
      }
      // "The backoff OPTION": the kind of a name is not what is asked about; the name is.
      if (word.pos === "NOUN" && isCodeKind(word.text) && i > 0 && words[i - 1].pos !== "DET")
        continue;
      if (word.pos === "NOUN" || word.pos === "ADJ" || word.pos === "PROPN") {
        const t = index(word.text);
        // An adjective narrows what is asked only when it sets a limit ("MINIMUM version").
        const narrows = word.pos !== "ADJ" || LIMITING.test(word.text);
        if (t !== undefined && narrows && !phrase.includes(t)) phrase.push(t);
        if (word.pos === "NOUN" && t !== undefined) head = true;
      } else if (word.pos === "PUNCT" && INNER_PUNCTUATION.test(word.text)) {
        // The dot of "Node.js" or the hyphen of "p-queue" stands inside a name: the phrase goes on.
      } else if (head) break;
      else phrase = [];
    }
    // "Does MiniSearch DEPEND on other packages?": a yes/no question is answered by a text that
    // says what its verb says ("Zero external dependencies"), whatever it calls the object.
    if (head && verbLike === undefined && YES_NO.test(question)) {
      const verb = words.find(
        (word) =>
          word.pos === "VERB" &&
          !LIGHT_VERBS.has(word.text.toLowerCase()) &&
          index(word.text) !== undefined,
      );
      if (verb) verbLike = index(verb.text);
    }
    if (head) return verbLike === undefined ? phrase : Object.assign(phrase, { verb: verbLike });
    if (verbLike !== undefined) return [verbLike];
    const verb = words.find(
      (word) =>
        word.pos === "VERB" &&
        !LIGHT_VERBS.has(word.text.toLowerCase()) &&
        index(word.text) !== undefined,
    );
    if (verb) return [index(verb.text) as number];
    // "The value OF preserveNewlines": a partitive is not what is asked about, its name is.
    const last = topical.filter(
      ({ term }) =>
        !LIGHT_VERBS.has(term.word) && !PARTITIVE.test(term.word) && !isCodeKind(term.word),
    );
    return last.length > 0 ? [last[last.length - 1].t] : [];
  }

  /** A bulleted list of what the thing asked about demands, or undefined when nothing is found. */
  private demands(
    question: string,
    terms: Term[],
    candidates: Candidate[],
    best: number[],
  ): ExtractiveResult | undefined {
    // The thing asked about ("what does THE RESOLUTION demand?"), or for "it", what the documents
    // are about; any other word of the question ("what MEETING does it propose?") narrows the list.
    const subjectWords = new Set(
      tokens(SUBJECT.exec(question)?.[1] ?? "")
        .filter((token) => !ADVERB.test(token.word))
        .map((token) => stem(token.word)),
    );
    const named = terms
      .filter((term) => !term.framing && subjectWords.has(term.stem))
      .map((term) => term.stem);
    const narrowing = terms.filter(
      (term) =>
        !term.framing &&
        !subjectWords.has(term.stem) &&
        !ADVERB.test(term.word) &&
        !DEMAND_QUESTION.test(term.word),
    );
    // A topic word found nowhere in what was retrieved, even as a close word ("what does it
    // recommend for a LAPTOP?"), means the documents do not hold it: no list of unrelated demands.
    // Close means as close as a demand must be to be kept below: a merely related word
    // (laptop–phone 0.60, in a photo caption's "[File phone/Xinhua]") is not the topic.
    if (narrowing.some((term) => best[terms.indexOf(term)] < FOCUS_MATCH)) return undefined;
    const subjects = new Set(
      named.length > 0
        ? named
        : candidates.flatMap((c) => this.words(c.unit.chunk.metadata.title).words.map(stem)),
    );
    // A name the question gives ("the HARBOUR COMMISSION report") must stand in the unit or the
    // headings and title around it: another document's demands are not this one's.
    const names = terms.filter((term) => term.name);
    const own = candidates.filter((c) => {
      const scope = this.words(`${c.unit.text} ${c.unit.context}`);
      return names.every((term) => this.similarity(term, scope) === 1);
    });
    // "What did THE CO-SPONSORS call for?": "it" in the text is the document's subject, not theirs.
    const head = (SUBJECT.exec(question)?.[1] ?? "").toLowerCase().match(/[\p{L}\p{N}'’-]+$/u)?.[0];
    const titles = new Set(
      candidates.flatMap((c) =>
        tokens(c.unit.chunk.metadata.title).map((token) => stem(token.word)),
      ),
    );
    const pronouns =
      named.length === 0 ||
      head === undefined ||
      /^(it|this|that)$/.test(head) ||
      FRAMING.has(stem(head)) ||
      titles.has(stem(head));
    const all = demandsOf(
      own.map((c) => c.unit),
      subjects,
      question,
      pronouns,
    );
    const narrowed = all.filter(({ text }) => {
      const words = this.words(text);
      return narrowing.every((term) => this.similarity(term, words) >= FOCUS_MATCH);
    });
    // A word that matches no demand is the question's own wording ("asking GOVERNMENTS"), not a filter.
    const demands = (narrowed.length > 0 ? narrowed : all).slice(0, DEMANDS_MAX);
    if (demands.length === 0) return undefined;
    const sources: Source[] = [];
    const lines = demands
      .sort((a, b) => a.unit.position - b.unit.position)
      .map(({ unit, text }) => `- ${text} [${cite(sources, unit, text).n}]`);
    return { answered: true, answer: lines.join("\n"), sources };
  }

  /** The answer: the direct span first when there is one, then the quote(s), each cited. */
  private quote(
    chosen: Candidate[],
    terms: Term[],
    kind: Asks | undefined,
    question: string,
    /** Every unit retrieved: the sentence before the chosen one may hold its answer. */
    all: Candidate[] = [],
  ): ExtractiveResult {
    const sources: Source[] = [];
    const lines: string[] = [];
    const questionWords = new Set(tokens(question).map((token) => token.word));
    const [first] = chosen;
    // Where the question's words stand in the unit: the words themselves, else similar words.
    const anchors = (candidate: Candidate) => {
      const topical = terms.filter((term) => !term.framing);
      const exact = topical.flatMap((term) => wordOffsets(candidate.unit.text, term));
      return exact.length > 0
        ? exact
        : topical.flatMap((term) => wordOffsets(candidate.unit.text, term, this));
    };
    const questionStems = new Set(terms.map((term) => term.stem));
    const type = answerType(question);
    const spanIn = (text: string, at: number[]) =>
      kind
        ? directSpan(
            text,
            kind,
            at,
            questionWords,
            PLURAL.test(question),
            /\bwhat time\b/i.test(question),
            type,
          )
        : undefined;
    // "Which METHOD applies a plugin?" is not answered by a word that is not code ("API").
    const codeIfAsked = (found: { text: string; start: number } | undefined, text: string) =>
      found && kind === "which" && asksForIdentifier(type) && !looksLikeCode(found, text)
        ? undefined
        : found;
    const span =
      // A line's result as its example shows it.
      (first.unit.kind === "result" && first.unit.value
        ? { text: `\`${first.unit.value}\``, start: first.unit.text.lastIndexOf(first.unit.value) }
        : undefined) ??
      // A setting answers with its value when the question names it, else with its name; what
      // it does ("what does the fuzzy option DO?") only its line and comment say.
      (first.unit.kind === "setting" &&
      !DESCRIBE.test(question) &&
      // "Which FIELDS does the example index?" names the setting (`fields`) and asks its value;
      // "which option turns on prefix search?" asks for the setting's name (`prefix`).
      (!asksSettingName(kind, type) ||
        partsOf(first.unit.label ?? "").every((part) =>
          [...type].some((word) => stem(word) === part),
        ))
        ? settingSpan(first.unit, question)
        : undefined) ??
      (kind === "which" && asksForIdentifier(type)
        ? identifierOf(first.unit, type, questionStems, plainStemsOf(terms))
        : undefined) ??
      (kind === "value" ? defaultCell(first.unit) : undefined) ??
      (kind ? namedCell(first.unit, questionStems) : undefined) ??
      (kind === "which" || kind === "value"
        ? codeWithName(first.unit.text, question)
        : undefined) ??
      codeIfAsked(appositive(first.unit.text, question), first.unit.text) ??
      codeIfAsked(this.agent(first.unit.text, kind, question, terms), first.unit.text) ??
      headingSpan(first.unit, kind) ??
      codeIfAsked(this.object(first.unit.text, kind, question, terms), first.unit.text) ??
      (kind === undefined
        ? whatObject(first.unit.section ?? first.unit.text, question)
        : undefined) ??
      (first.unit.kind !== "code"
        ? codeIfAsked(spanIn(first.unit.text, anchors(first)), first.unit.text)
        : undefined);
    // "Version 9 drops… CLI is moved to a separate package.": what the sentence is about may be
    // named in the sentence before it, in the same paragraph; both are quoted then.
    let before: Candidate | undefined;
    let earlier: { text: string; start: number } | undefined;
    if (!span && kind && kind !== "value" && kind !== "name") {
      for (const sentence of sentencesBefore(first, all)) {
        earlier =
          kind === "which" && asksForIdentifier(type)
            ? identifierOf(sentence.unit, type, questionStems, plainStemsOf(terms))
            : spanIn(sentence.unit.text, []);
        if (earlier) {
          before = sentence;
          break;
        }
      }
    }
    const answer = span ?? earlier;
    const holder = span ? first : earlier ? before : undefined;
    // "**idle**": a name taken from the heading is proved by what its section opens with, the
    // sentence that says what it is, when another of its sentences was the one chosen.
    const opening =
      span && span.text === first.unit.heading?.replace(/`/g, "").trim()
        ? sectionOpening(first, all)
        : undefined;
    const quoted = opening
      ? [opening, first]
      : holder && holder !== first
        ? [holder, first]
        : span
          ? [first]
          : chosen;
    for (const candidate of quoted) {
      const { unit } = candidate;
      const keep = [
        ...anchors(candidate),
        // The whole answer: a list of names ("Belarus, Cuba, …, Venezuela") is not cut short.
        ...(answer && candidate === holder
          ? [answer.start, answer.start + Math.max(0, answer.text.length - 1)]
          : []),
      ];
      const text =
        unit.kind === "sentence"
          ? cutToClauses(unit.text, keep, answer ? MIN_KEPT_WITH_ANSWER : undefined)
          : unit.text;
      // Two lines of one short section are both quoted as the section: once is enough.
      const shown = display(unit, text, 0).replace(/ \[0\]$/, "");
      if (lines.some((line) => line.replace(/ \[\d+\]$/, "") === shown)) continue;
      const source = cite(sources, unit, text);
      lines.push(display(unit, text, source.n));
    }
    // An asterisk would end the bold early, except inside code (`' * '`), where it is literal.
    const bold =
      answer && /^`[^`]+`$/.test(answer.text) ? answer.text : answer?.text.replace(/\*/g, "");
    if (answer) lines.unshift(`**${bold}** [${sources[0].n}]`);
    return { answered: true, answer: lines.join("\n"), sources };
  }

  /**
   * For "who sponsored it?", the name a compound makes the doer of the question's verb: "a
   * CHINA-sponsored resolution", "a US-led coalition", "the Gates-funded study".
   */
  private agent(
    text: string,
    kind: Asks | undefined,
    question: string,
    terms: Term[],
  ): { text: string; start: number } | undefined {
    if (kind !== "who" && kind !== "which") return undefined;
    const t = this.predicate(question, terms, answerType(question));
    if (t === undefined) return undefined;
    for (const match of text.matchAll(AGENT_COMPOUND)) {
      if (this.similarity(terms[t], this.words(match[2])) >= FOCUS_MATCH)
        return { text: match[1], start: match.index ?? 0 };
    }
    return undefined;
  }

  /** For an object question ("who does it call on?"), the object of its verb in the text. */
  private object(
    text: string,
    kind: Asks | undefined,
    question: string,
    terms: Term[],
  ): { text: string; start: number } | undefined {
    if ((kind !== "who" && kind !== "which") || !OBJECT_QUESTION.test(question)) return undefined;
    // The question's words in order: the first the text uses as a verb is the question's verb.
    const verbs = terms
      .filter((term) => !term.name && (!term.framing || !answerType(question).has(term.word)))
      .map((term) => (word: string) => stem(word.toLowerCase()) === term.stem);
    return objectSpan(text, verbs);
  }

  /**
   * The question's content words, weighted by rarity. A hyphenated word the word vectors do not
   * know is a name when the retrieved text writes it so ("cli-progress", "p-queue"): its parts
   * are then not terms of their own; otherwise ("co-sponsored") its parts are the terms.
   */
  private terms(question: string, passage = ""): Term[] {
    const seen = new Set<string>();
    const terms: Term[] = [];
    let compound: { parts: string[]; name: boolean; written?: boolean } | undefined;
    const all = tokens(question.replace(PLACE_IN_THE_DOCUMENT, " the $1"));
    for (const [i, { word, capitalized, first }] of all.entries()) {
      const isPart = compound?.parts.includes(word) ?? false;
      if (!isPart) compound = undefined;
      // A name written as one word of parts ("MiniSearch", "WebSocket") comes with its parts,
      // which say what it is made of ("mini", "search") but are not what the question is about.
      const parts = partsAfter(all, i);
      if (/['’-]/.test(word)) {
        const unknown = this.vectors.rank(word) === undefined;
        const name = unknown && passage.includes(word);
        compound = { parts: word.split(/['’-]/), name };
        if (unknown && !name) continue;
      } else if (isPart && compound?.name) continue;
      else if (parts.length > 0 && capitalized && passage.includes(word)) {
        compound = { parts, name: false, written: true };
      }
      const framingPart = isPart && compound?.written === true;
      if (STOP_WORDS.has(word) || seen.has(word) || word.length < 2) continue;
      seen.add(word);
      const rank = this.vectors.rank(word);
      const base = this.baseRank(word);
      const acronym =
        /\d/.test(word) ||
        (capitalized && word.length <= 5 && question.includes(word.toUpperCase()));
      const name = acronym || (capitalized && !first) || rank === undefined;
      terms.push({
        word,
        stem: stem(word),
        name,
        framing: framingPart || FRAMING.has(stem(word)),
        weight: Math.log(10 + (rank ?? this.vectors.count)) * (name ? 1.5 : 1),
        rank: name ? undefined : rank,
        base: name ? undefined : base,
      });
    }
    return terms;
  }

  private wordsNow(text: string): Words {
    const content = tokens(text).filter((token) => !STOP_WORDS.has(token.word));
    const stems = content
      .filter((token) => !token.capitalized || token.first)
      .map((token) => stem(token.word));
    const words = content.map((token) => token.word);
    // A light verb ("need", "use", "make") is near many verbs and means none of them ("need" is
    // 0.71 from "maintain"): it matches only itself.
    const ranks = words.flatMap((word) =>
      LIGHT_VERBS.has(word) ? [] : (this.vectors.rank(word) ?? []),
    );
    const all = tokens(text);
    const joined = new Set(all.slice(1).map((token, i) => all[i].word + token.word));
    return { words, stems: new Set(stems), joined, ranks, closest: new Map() };
  }

  /**
   * The rank of a word's base form ("empty" for "empties", "change" for "changes"), when the table
   * holds it as a more frequent word of the same stem: a rare inflection's vector is a poor
   * guess of its meaning (empties–clear 0.05, empty–clear 0.51).
   */
  readonly baseRank: (word: string) => number | undefined = memo((word) => {
    const own = this.vectors.rank(word);
    if (own === undefined) return undefined;
    let best: number | undefined;
    for (const form of baseForms(word)) {
      const rank = this.vectors.rank(form);
      if (rank !== undefined && rank < (best ?? own) && stem(form) === stem(word)) best = rank;
    }
    return best;
  }, WORDS_KEPT);

  /** 1 when the words have the term's word, else the best cosine similarity of one of them to it. */
  similarity(term: Term, words: Words): number {
    if (
      words.stems.has(term.stem) ||
      words.words.includes(term.word) ||
      words.joined.has(term.word)
    )
      return 1;
    if (term.rank === undefined) return 0;
    let best = words.closest.get(term.rank);
    if (best === undefined) {
      best = 0;
      for (const rank of words.ranks) {
        best = Math.max(best, this.vectors.cosine(term.rank, rank));
        if (term.base !== undefined) best = Math.max(best, this.vectors.cosine(term.base, rank));
      }
      words.closest.set(term.rank, best);
    }
    return best;
  }
}

/** What a word may be an inflection of: "empties" → empty, "changes" → change, chang. */
function baseForms(word: string): string[] {
  const out: string[] = [];
  const strip = (suffix: string, ...ends: string[]) => {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) {
      const root = word.slice(0, -suffix.length);
      for (const end of ends) out.push(root + end);
      // "stopped" → stop, "running" → run
      if (/(\w)\1$/.test(root)) out.push(root.slice(0, -1));
    }
  };
  strip("ies", "y");
  strip("ied", "y");
  strip("es", "", "e");
  strip("s", "");
  strip("ed", "", "e");
  strip("ing", "", "e");
  return out;
}

/** The tokens right after the i-th that are its parts ("mini", "search" after "minisearch"). */
function partsAfter(all: { word: string }[], i: number): string[] {
  const parts: string[] = [];
  let joined = "";
  for (let j = i + 1; j < all.length && joined.length < all[i].word.length; j++) {
    joined += all[j].word;
    parts.push(all[j].word);
  }
  return joined === all[i].word && parts.length > 1 ? parts : [];
}

/** Where a term (or, given the answerer, a word close to it) stands in a text, as offsets. */
function wordOffsets(text: string, term: Term, answerer?: ExtractiveAnswerer): number[] {
  const out: number[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)) {
    const at = match.index ?? 0;
    const parts = match[0].split(/['’-]/);
    for (const part of [match[0], ...(parts.length > 1 ? parts : [])]) {
      const word = part.toLowerCase();
      if (word === term.word || stem(word) === term.stem) {
        out.push(at + (part === match[0] ? 0 : match[0].indexOf(part)));
        break;
      }
      if (answerer && term.rank !== undefined) {
        const words = answerer.words(word);
        if (answerer.similarity(term, words) >= SOFT_MATCH) {
          out.push(at);
          break;
        }
      }
    }
  }
  return out;
}

/**
 * The words that name the kind of thing a question asks for: the nouns right after "which" or
 * "what" ("which COUNTRY sponsored it?", "what TIME was it published?"), lower-cased.
 */
function answerType(question: string): Set<string> {
  const { words } = tag(question);
  const at = words.findIndex((word) => /^(which|what)$/i.test(word.text));
  const type = new Set<string>();
  if (at < 0) return type;
  const rest = words.slice(at + 1);
  let last: string | undefined;
  for (const [i, word] of rest.entries()) {
    const compound = rest[i - 1]?.text === "-" || rest[i + 1]?.text === "-";
    // Hyphenated words come as parts: "p-queue method" is "p", "-", "queue", "method"; the parts
    // name the thing asked about, the noun after them its kind.
    if (word.pos === "NOUN") {
      if (!compound) {
        last = word.text.toLowerCase();
        type.add(last);
      }
    } else if (
      // "Which SEND option…": a word the tagger takes for a verb names the kind of code after it.
      rest[i + 1]?.pos === "NOUN" &&
      (SETTING_KINDS.test(rest[i + 1].text) || isCodeKind(rest[i + 1].text.toLowerCase()))
    ) {
    } else if (word.pos !== "ADJ" && word.pos !== "PROPN" && word.text !== "-") {
      // "Which formatter SKIPS a tag?": a noun before an article is the question's verb, which
      // the tagger can take for a noun.
      if (word.pos === "DET" && last && type.size > 1) type.delete(last);
      break;
    }
  }
  return type;
}

/** The first sentence of the body of the best-retrieved document: what it is about. */
function leadOf(chunks: RetrievedChunk[], subject: string[]): Unit | undefined {
  const [top] = chunks;
  if (!top) return undefined;
  const sentences = unitsOf(
    chunks.filter((chunk) => chunk.metadata.documentId === top.metadata.documentId),
  )
    .filter((unit) => unit.kind === "sentence" && !unit.byline && unit.text.length >= LEAD_MIN)
    .sort((a, b) => a.position - b.position);
  // The first sentence that names the thing asked about ("what is the RESOLUTION about?").
  const names = (unit: Unit) =>
    tokens(unit.text).some((token) => subject.includes(stem(token.word)));
  return sentences.find(names) ?? sentences[0];
}

/**
 * In a reference, a section's heading names the function or option its text describes ("#### .pause()"
 * over "Put queue execution on hold."): for "which method…?", that name is the answer.
 */
function headingSpan(
  unit: Unit,
  kind: Asks | undefined,
): { text: string; start: number } | undefined {
  if ((kind !== "which" && kind !== "name") || !unit.heading) return undefined;
  const heading = unit.heading.replace(/`/g, "").trim();
  // The document's own heading ("# MiniSearch") names the document, not what the text under it is.
  if (heading === unit.chunk.metadata.title) return undefined;
  const identifier = /^[\w$.:]*\w(\(.*\))?$/.test(heading) && /[().:_$]|[a-z][A-Z]/.test(heading);
  return identifier && heading.length <= SPAN_MAX ? { text: heading, start: 0 } : undefined;
}

const flat = (text: string) => text.replace(/\s+/g, " ");

/**
 * The names a question writes as code ("baseElements.selectors", "intervalCap", ".start()"),
 * lower-cased, without the dot, colons or parentheses around them.
 */
function codeNamesOf(question: string): string[] {
  const names =
    question.match(
      /`[^`]+`|(?:::|\.)?[A-Za-z_$][\w$]*\(\)|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+|\b[a-z]+[A-Z][\w$]*/g,
    ) ?? [];
  return names.map(bareName).filter((name) => name.length > 1);
}

function bareName(text: string): string {
  return text
    .replace(/`/g, "")
    .trim()
    .replace(/^(?:::|\.)|\(.*\)$/g, "")
    .toLowerCase();
}

/**
 * Whether a unit stands under a method named by one of the question's verbs: the heading
 * `.pause()` or `flowKit.pause()` for "how do I pause…?" (a method, written with its parentheses).
 */
function callsVerb(unit: Unit, verbStems: Set<string>): boolean {
  const heading = unit.heading?.replace(/`/g, "").trim() ?? "";
  const method = bareName(heading).split(/[.:#]/).pop() ?? "";
  return /\(.*\)$/.test(heading) && verbStems.has(stem(method));
}

/** Whether a unit documents one of the names the question writes as code: its label or heading. */
function documents(unit: Unit, names: string[]): boolean {
  if (names.length === 0) return false;
  const own = [unit.label, unit.heading].filter(Boolean).map((name) => bareName(name as string));
  return own.some((name) => names.includes(name));
}

/**
 * For "what does .start() RETURN?", "what must countries STEP UP?": the phrase the text writes
 * after the question's last verb ("Returns `this`", "step up consultation and cooperation").
 */
function whatObject(text: string, question: string): { text: string; start: number } | undefined {
  const verbs = askedVerbs(question).filter(
    (verb) => !LIGHT_VERBS.has(verb) && !FRAMING.has(stem(verb)) && !STOP_WORDS.has(verb),
  );
  for (const verb of verbs) {
    const found = objectSpan(text, [(word) => stem(word.toLowerCase()) === stem(verb)], true);
    // Not out of markup: a link's brackets, a table's pipes, the next item of a list.
    if (found && !/[[\]|]|\n\s*[-*+]/.test(found.text)) return found;
  }
  return undefined;
}

/**
 * The words that may be the verb whose object a "what does X VERB?" question asks for,
 * lower-cased, the likeliest first; none when it ends in a noun ("…about China's initiative?").
 */
function askedVerbs(question: string): string[] {
  const asked = WHAT_OBJECT.exec(question)?.[1];
  if (!asked) return [];
  const words = asked
    .replace(
      /,.*$|\s+(?:by default|when|while|before|after|if|in order to|according to)\b.*$|\s+(?:for|with|on|in|from)\s+(?:the|a|an)\s.*$/i,
      "",
    )
    .trim()
    .split(/\s+/);
  let stranded = false;
  while (words.length > 1 && STRANDED.test(words[words.length - 1])) {
    words.pop();
    stranded = true;
  }
  if (words.length < 2) return [];
  // "…about China's INITIATIVE?" ends in a noun (after a determiner, possessive or adjective),
  // not a verb: there is no object to look for.
  const tagged = tag(words.join(" ")).words;
  const [before, last] = tagged.slice(-2);
  if (
    !stranded &&
    (last?.pos === "NOUN" || last?.pos === "PROPN") &&
    ["DET", "PART", "ADJ", "ADP", "NUM", "PRON"].includes(before?.pos ?? "")
  )
    return [];
  // "What does it split documents ON?": the verb may stand before the object the question names.
  return words
    .slice(1)
    .reverse()
    .slice(0, stranded ? 3 : 1)
    .map((word) => word.toLowerCase());
}

/** The first prose of the section a unit stands in, when that is not the unit (or its section). */
function sectionOpening(unit: Candidate, all: Candidate[]): Candidate | undefined {
  const { chunk, context, position } = unit.unit;
  const opening = all
    .filter(
      (other) =>
        other.unit.chunk.metadata.documentId === chunk.metadata.documentId &&
        other.unit.context === context &&
        (other.unit.kind === "sentence" || other.unit.kind === "line"),
    )
    .sort((a, b) => a.unit.position - b.unit.position)[0];
  return opening &&
    opening.unit.position < position &&
    !flat(unit.unit.section ?? unit.unit.text).includes(flat(opening.unit.text))
    ? opening
    : undefined;
}

/** The stems of the question's topical words that are not names. */
function plainStemsOf(terms: Term[]): Set<string> {
  return new Set(terms.filter((term) => !term.name && !term.framing).map((term) => term.stem));
}

/**
 * The identifier a unit gives for "which function / method / event…?": the name its list item or
 * row starts with, the name its section documents, code the text calls by that kind ("the
 * `convert` function"), or an identifier made of the question's words.
 */
function identifierOf(
  unit: Unit,
  type: Set<string>,
  questionStems: Set<string>,
  plainStems?: Set<string>,
): { text: string; start: number } | undefined {
  const another = labelOfAnotherKind(unit, type);
  // A row or item of options names options, whatever code it writes (`options.random`).
  if (another && (unit.kind === "row" || unit.kind === "item")) return undefined;
  return (
    (another ? undefined : (labelSpan(unit) ?? namedBySection(unit, type))) ??
    calledByKind(unit.text, type) ??
    codeWhich(unit.text, plainStems) ??
    identifierSpan(unit.text, questionStems, plainStems)
  );
}

/**
 * Code the text says does what the question asks, in a clause of its own: "`pipe.end()`, which
 * WAITS for the BUFFER to DRAIN" for "which method waits for the buffer to drain?".
 */
function codeWhich(
  text: string,
  plainStems: Set<string> = new Set(),
): { text: string; start: number } | undefined {
  for (const m of text.matchAll(/(`[^`\n]{1,60}`),?\s+(?:which|that)\s+([^,.;:]+)/g)) {
    const said = new Set(contentWords(m[2]).map(stem));
    if ([...plainStems].filter((word) => said.has(word)).length >= 2)
      return { text: m[1], start: m.index ?? 0 };
  }
  return undefined;
}

/** Code the text calls by the kind asked for: "the `convert` function", "method `clear()`". */
function calledByKind(
  text: string,
  type: Set<string>,
): { text: string; start: number } | undefined {
  for (const kind of [...type].filter(isCodeKind)) {
    const after = new RegExp(`(\`[^\`\n]{1,60}\`)\\s+${kind}\\b`, "i").exec(text);
    if (after) return { text: after[1], start: after.index };
    const before = new RegExp(`\\b${kind}\\s+(\`[^\`\n]{1,60}\`)`, "i").exec(text);
    if (before) return { text: before[1], start: before.index + before[0].indexOf("`") };
  }
  return undefined;
}

/**
 * "Which EVENT fires when the queue is idle?": text under a heading that is a name ("idle",
 * ".clear()", "::setTotal()") in a section of that kind ("Events", "API") documents that name,
 * which answers, even when it is a plain word or the question's own.
 */
function namedBySection(
  unit: Unit,
  type: Set<string>,
): { text: string; start: number } | undefined {
  const heading = unit.heading?.replace(/`/g, "").trim();
  if (!heading || !/^(?:::|\.)?[A-Za-z_$][\w$.:-]*(?:\([^)]*\))?$/.test(heading)) return undefined;
  // "Options", "Events": a heading that names the kind of its section names no one thing.
  if (isCodeKind(heading.toLowerCase()) || /^api$/i.test(heading)) return undefined;
  // The document's own heading (its name, "# MiniSearch") stands over everything in it.
  const above = unit.context.split("\n").slice(1, -1);
  if (above.length === 0 || heading === unit.chunk.metadata.title) return undefined;
  const path = unit.context.split("\n").slice(0, -1).join(" ").toLowerCase();
  const kinds = [...type].filter(isCodeKind).map((word) => stem(word));
  const inSection = [...kinds, "api"].some((word) => new RegExp(`\\b${word}`).test(path));
  const coded = /[().:_$]|[a-z][A-Z]/.test(heading);
  return (inSection || coded) && heading.length <= SPAN_MAX
    ? { text: heading, start: 0 }
    : undefined;
}

/**
 * Whether a unit's labels or section are of a kind of code other than the one asked for: the rows
 * under "Connection options" (or a column headed "Option"), and the sections under "Pipe options"
 * (`### autoOpen`), name options, not the function "which FUNCTION opens a pipe?" asks for. The
 * nearest heading that names a kind decides; a method and a function are one kind, as are an
 * option, a setting and a parameter (a "field" is often the data's, as in "Field extraction").
 */
function labelOfAnotherKind(unit: Unit, type: Set<string>): boolean {
  const kindsIn = (text: string) =>
    text
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter((word) => word && isCodeKind(word))
      .map(kindFamily);
  const header = unit.kind === "row" && unit.intro ? (cells(unit.intro)[0]?.text ?? "") : "";
  const lines = unit.context.split("\n").map((line) => line.trim());
  const at = unit.heading === undefined ? -1 : lines.lastIndexOf(unit.heading.trim());
  // The headings above the unit, nearest first (the first line is the document's title).
  const path = at > 0 ? lines.slice(1, at + 1).reverse() : [unit.heading ?? ""];
  // A label qualified by its kind (`options.random`, `params.total`) is of that kind.
  const qualifier = /^[[`\s]*([A-Za-z]+)\.\w/.exec(unit.label ?? "")?.[1] ?? "";
  const kinds = [qualifier, header, ...path].map(kindsIn).find((found) => found.length > 0) ?? [];
  const asked = [...type].filter(isCodeKind).map(kindFamily);
  return kinds.length > 0 && asked.length > 0 && !kinds.some((kind) => asked.includes(kind));
}

/** A kind of code as labelOfAnotherKind compares them: "methods" and "function" are one. */
function kindFamily(word: string): string {
  if (/^(options?|settings?|parameters?|params?|flags?)$/i.test(word)) return "setting";
  if (/^(methods?|functions?)$/i.test(word)) return "call";
  return stem(word);
}

/**
 * "Which OPTION hides the cursor?": an option's list item or table row names it first (its label,
 * "- `hideCursor` (type:boolean) - hide the cursor…"), and that name answers.
 */
function labelSpan(unit: Unit): { text: string; start: number } | undefined {
  // A setting of a code example: its key ("storeFields: […] // fields to return…").
  if (unit.kind === "setting" && unit.label && unit.label.length <= SPAN_MAX)
    return { text: `\`${unit.label}\``, start: Math.max(0, unit.text.indexOf(unit.label)) };
  if (!unit.label || (unit.kind !== "item" && unit.kind !== "row")) return undefined;
  // Only a name written as code: a bold label ("**HyBi drafts 07-12**") is not an option's name.
  const coded = unit.text.indexOf(`\`${unit.label}\``);
  return coded >= 0 && unit.label.length <= SPAN_MAX
    ? { text: `\`${unit.label}\``, start: coded }
    : undefined;
}

/**
 * A setting's line read comment first, as the sentence it is: "Defaults to…" starts it with a
 * capital, which elsewhere would mark a name.
 */
function settingWords(line: string): string {
  const at = line.search(/\s(?:\/\/|#)\s/);
  return at < 0 ? line : `${line.slice(at).replace(/^\s*(?:\/\/|#)\s*/, "")}\n${line.slice(0, at)}`;
}

/**
 * The documents a question names by their name: a title of at most NAME_WORDS words ("p-queue",
 * "html-to-text"), or the part of a title before its colon or dash ("ws: a Node.js WebSocket
 * library"), written in the question as a whole word, in any case.
 */
export function namedDocuments(question: string, chunks: RetrievedChunk[]): Set<string> {
  const lower = question.toLowerCase();
  const named = new Set<string>();
  for (const { metadata } of chunks) {
    const name = documentName(metadata.title).toLowerCase();
    if (!name || name.split(/\s+/).length > NAME_WORDS) continue;
    if (namePattern(name).test(lower)) named.add(metadata.documentId);
  }
  return named;
}

/** A name written as a whole word, not as a part of another ("ws" is not in "news" or "ws-x"). */
export function namePattern(name: string, flags = "u"): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{N}-])${escaped}(?![\\p{L}\\p{N}-])`, flags);
}

/** A document's name: its title, or the part of it before a colon or dash ("ws: a Node.js…"). */
export function documentName(title: string): string {
  return title.split(/:\s|\s[-–—]\s/)[0].trim();
}

/** "Which OPTION / SETTING / FIELD…?": a question a setting's key may answer. */
function asksSettingName(kind: Asks | undefined, type: Set<string>): boolean {
  return kind === "which" && [...type].some((word) => SETTING_KINDS.test(word));
}

/** The stems of a name's parts: `serverMaxWindowBits` → server, max, window, bit. */
function partsOf(name: string): string[] {
  return name
    .split(/[^\p{L}\p{N}]+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})/u)
    .filter(Boolean)
    .map((part) => stem(part.toLowerCase()));
}

/**
 * What a setting of a code example answers: what its comment says it does, for "what does
 * concurrencyLimit LIMIT?" ("Limits zlib concurrency"), else the value it is set to.
 */
function settingSpan(unit: Unit, question: string): { text: string; start: number } | undefined {
  // "What does serverMaxWindowBits default to?": "// Defaults to negotiated value."
  const byDefault = /\bdefault/i.test(question)
    ? /\bdefaults?\s+(?:to|is)\s+([^.;\n]+)/i.exec(unit.text)
    : undefined;
  if (byDefault && byDefault[1].trim().length <= SPAN_MAX)
    return {
      text: byDefault[1].trim(),
      start: byDefault.index + byDefault[0].indexOf(byDefault[1]),
    };
  const said = whatObject(unit.text, question);
  if (said) return said;
  // The value is code, and shown as code (`10 * 1024`: its asterisk is not emphasis).
  const start = unit.value ? unit.text.indexOf(unit.value) : -1;
  return unit.value && start >= 0 && !unit.value.includes("`")
    ? { text: `\`${unit.value}\``, start }
    : undefined;
}

/** A table row's cell under its "Default" column: the default a value question asks for. */
function defaultCell(unit: Unit): { text: string; start: number } | undefined {
  if (unit.kind !== "row") return undefined;
  // "[`offset` = 0]": the value after "=" in the parameter's own label.
  const own = unit.label ? DEFAULT_IN_LABEL.exec(unit.label)?.[1].replace(/`/g, "").trim() : "";
  if (own && own.length <= SPAN_MAX) {
    const start = unit.text.indexOf(own, unit.text.indexOf("="));
    if (start >= 0) return { text: own, start };
  }
  if (!unit.intro) return undefined;
  const column = cells(unit.intro).findIndex((cell) => /^default$/i.test(cell.text));
  const cell = column >= 0 ? cells(unit.text)[column] : undefined;
  return cell && cell.text.length > 0 && cell.text.length <= SPAN_MAX ? cell : undefined;
}

/**
 * A table row's cell under the column the question names ("which VALUES are VALID for…?" under
 * "Valid values"): every content word of the header is in the question. Not the first column,
 * which names the row.
 */
function namedCell(
  unit: Unit,
  questionStems: Set<string>,
): { text: string; start: number } | undefined {
  if (unit.kind !== "row" || !unit.intro) return undefined;
  const row = cells(unit.text);
  let best: { text: string; start: number; words: number } | undefined;
  for (const [column, header] of cells(unit.intro).entries()) {
    const words = contentWords(header.text).map(stem);
    const cell = row[column];
    if (column === 0 || words.length === 0 || !cell || cell.text.length === 0) continue;
    if (cell.text.length > SPAN_MAX || !words.every((word) => questionStems.has(word))) continue;
    if (!best || words.length > best.words) best = { ...cell, words: words.length };
  }
  return best && { text: best.text, start: best.start };
}

/**
 * Whether a span is code: written as code, or a name with parentheses, "#", "_" or camelCase
 * ("Node.js" is not).
 */
function looksLikeCode(span: { text: string; start: number }, text: string): boolean {
  return (
    /[`()#_$]|\p{Ll}\p{Lu}/u.test(span.text) ||
    (text[span.start - 1] === "`" && text[span.start + span.text.length] === "`")
  );
}

/** The cells of a table row, trimmed, with where each starts in the row. */
function cells(row: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let at = 0;
  for (const part of row.split("|")) {
    const lead = part.length - part.trimStart().length;
    out.push({ text: part.trim(), start: at + lead });
    at += part.length + 1;
  }
  // A row written with outer pipes ("| a | b |") has an empty cell before and after.
  if (/^\s*\|/.test(row)) out.shift();
  if (/\|\s*$/.test(row)) out.pop();
  return out;
}

/**
 * "Which protocolVersion selects…?": an identifier the question names is answered by the code of
 * the text that sets it to a value (`protocolVersion: 13`); the name alone does not answer.
 */
function codeWithName(text: string, question: string): { text: string; start: number } | undefined {
  const names = question.match(/\b[a-z]+[A-Z][\w$]*\b/g) ?? [];
  for (const m of text.matchAll(/`([^`\n]{1,78})`/g)) {
    const inside = m[1];
    if (
      names.some((name) =>
        new RegExp(`\\b${name.replace(/\$/g, "\\$")}\\s*[:=]\\s*\\S`).test(inside),
      )
    )
      return { text: m[0], start: m.index ?? 0 };
  }
  return undefined;
}

/** The sentences before a unit in its paragraph, nearest first, at most PARAGRAPH_BACK. */
function sentencesBefore(unit: Candidate, all: Candidate[]): Candidate[] {
  const { chunk } = unit.unit;
  if (unit.unit.kind !== "sentence") return [];
  const earlier = all
    .filter(
      (c) =>
        c.unit.chunk === chunk &&
        c.unit.kind === "sentence" &&
        c.unit.position < unit.unit.position,
    )
    .sort((a, b) => b.unit.position - a.unit.position);
  const out: Candidate[] = [];
  let next = unit;
  for (const before of earlier.slice(0, PARAGRAPH_BACK)) {
    const from = before.unit.position + before.unit.text.length - chunk.metadata.start;
    const between = chunk.pageContent.slice(from, next.unit.position - chunk.metadata.start);
    if (/\n\s*\n/.test(between)) break;
    out.push(before);
    next = before;
  }
  return out;
}

/** For "who is X?": what the text says X is, between commas after the name ("Chen Xu, head of…,"). */
function appositive(text: string, question: string): { text: string; start: number } | undefined {
  const name = WHO_IS.exec(question)?.[1];
  if (!name || !/^\p{Lu}/u.test(name)) return undefined;
  const at = text.indexOf(`${name}, `);
  if (at < 0) return undefined;
  const start = at + name.length + 2;
  const end = text.slice(start).search(/[,;:.]/);
  const found = text.slice(start, end < 0 ? undefined : start + end).trim();
  return found.length > 0 && found.length <= SPAN_MAX ? { text: found, start } : undefined;
}

/** The name of the setting a unit documents: its label or heading, when that is one word. */
function settingName(unit: Unit): string | undefined {
  const name = (unit.label ?? unit.heading ?? "")
    // "[`offset` = 0]": a parameter with its default, as JSDoc writes it.
    .replace(/^\[\s*(.*?)\s*\]$/, "$1")
    .replace(/\s*=.*$/, "")
    .replace(/[`.()]/g, "")
    .trim();
  return /^[\w$-]+$/.test(name) ? name.toLowerCase() : undefined;
}

/**
 * Whether a unit documents a setting other than those asked for: one whose name holds one of
 * them (`throwOnTimeout` for "the default timeout"), or the row of another parameter with its
 * default (`[offset = 0]` for "the default namespace", under a heading that names both).
 */
function otherSetting(unit: Unit, asked: string[]): boolean {
  const name = settingName(unit);
  const row = unit.kind === "row" && DEFAULT_IN_LABEL.test(unit.label ?? "");
  return name !== undefined && asked.some((word) => name !== word && (name.includes(word) || row));
}

/** Runs of two or more capitalized words after the first word ("United States"), lower-cased. */
function namePhrases(question: string): string[] {
  const phrases =
    question.match(/(?<!^)\b\p{Lu}[\p{L}\p{N}-]*(?:\s+\p{Lu}[\p{L}\p{N}-]*)+/gu) ?? [];
  return phrases.map((phrase) => phrase.toLowerCase().replace(/\s+/g, " "));
}

/**
 * Whether a text names the phrase: its words in a row, whatever punctuation stands between them
 * ("The United Nations (UN) Human Rights Council" names "UN Human Rights Council").
 */
function namesPhrase(text: string, phrase: string): boolean {
  const words = (s: string) => ` ${s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ")} `;
  return words(text).includes(words(phrase));
}

/** Whether a unit holds the kind of answer the question asks for. */
function fits(text: string, kind: Asks, questionWords: Set<string>): boolean {
  if (kind === "when") return new RegExp(DATE.source, "i").test(text);
  if (kind === "count" || kind === "amount") return new RegExp(NUMBER.source, "i").test(text);
  // A title is quoted, and short: a quoted speech is not what something is called.
  if (kind === "name") return /["“][^"”]{3,80}["”]/.test(text);
  if (kind === "value") return /\bdefault/i.test(text);
  return (text.match(CAPITALIZED) ?? []).some((word) => !questionWords.has(word.toLowerCase()));
}

/** The best unit, and the next one too when it scores nearly as well. */
function choose(scored: Scored[], kind: Asks | undefined): Candidate[] {
  const ranked = [...scored].sort((a, b) => b.score - a.score);
  const [first] = ranked;
  // Code shows how; the sentence of its section that scores best says what it does, and comes
  // with it when it scores nearly as well as the second choice would.
  const prose =
    first.candidate.unit.kind === "code"
      ? ranked.find(
          (entry) =>
            entry.candidate.unit.kind === "sentence" &&
            entry.candidate.unit.heading === first.candidate.unit.heading &&
            entry.score >= PROSE_WITH_CODE * first.score,
        )
      : undefined;
  // A list and its own item, or a sentence and the block it stands in, are one passage: the
  // second quote is another one.
  const text = first.candidate.unit.text;
  const second =
    prose ??
    ranked
      .slice(1)
      .find(
        (entry) =>
          !text.includes(entry.candidate.unit.text) && !entry.candidate.unit.text.includes(text),
      );
  const chosen =
    second && !kind && (prose || second.score >= SECOND_UNIT * first.score)
      ? [first, second]
      : [first];
  const units = chosen.map((entry) => entry.candidate);
  // Two sentences of one passage read in their order; from two places, the best comes first.
  const together = units.every((c) => c.unit.chunk === units[0].unit.chunk);
  return together ? units.sort((a, b) => a.unit.position - b.unit.position) : units;
}

/** The source a unit is cited as, numbered in order of first citation; its quote grows. */
function cite(sources: Source[], unit: Unit, quote: string): Source {
  const { metadata } = unit.chunk;
  let source = sources.find(
    (s) =>
      s.source === metadata.source && s.chunk === metadata.chunk && s.library === metadata.library,
  );
  if (source) source.quote += ` ${quote}`;
  else {
    source = {
      n: sources.length + 1,
      title: metadata.title,
      source: metadata.source,
      chunk: metadata.chunk,
      score: metadata.score,
      text: unit.chunk.pageContent,
      quote,
      ...(metadata.date ? { date: metadata.date } : {}),
      ...(metadata.library ? { library: metadata.library } : {}),
    };
    sources.push(source);
  }
  return source;
}

/** A unit as quoted: prose in quotation marks; a list item, row, value or code with what frames it. */
function display(unit: Unit, text: string, n: number): string {
  if (unit.section && unit.kind !== "code") {
    // A short section under its heading, its lines joined (the backslash is Markdown's line break,
    // ">" a quote's mark).
    const lines = unit.section
      .split("\n")
      // A table's rule and an empty header ("|  |  |", "| --- | --- |") say nothing.
      .filter((line) => !isMarkup(line) && !TABLE_RULE.test(line))
      .map((line) =>
        line
          .replace(/\\$/, "")
          .replace(/^\s*>\s?/, "")
          .trim(),
      );
    return `${unit.heading ? `${unit.heading} — ` : ""}${lines.filter(Boolean).join(" ")} [${n}]`;
  }
  switch (unit.kind) {
    case "list":
      return `${unit.intro ? `${unit.intro}\n` : unit.heading ? `${unit.heading}:\n` : ""}${text} [${n}]`;
    case "sentence":
      // Under a method's heading (`.pause()`), the sentence says what that method does.
      return unit.heading && CODE_HEADING.test(unit.heading.trim())
        ? `${unit.heading.trim()} — “${text}” [${n}]`
        : `“${text}” [${n}]`;
    case "item":
      return `${unit.intro ? `${unit.intro}\n` : unit.heading ? `${unit.heading}:\n` : ""}${text} [${n}]`;
    case "row": {
      // A header of empty cells is left out; the spaces that align the columns are one space.
      const header = unit.intro && !TABLE_RULE.test(unit.intro) ? `${squeeze(unit.intro)}\n` : "";
      return `${unit.heading ? `${unit.heading}:\n` : ""}${header}${squeeze(text)} [${n}]`;
    }
    case "code":
      return `${unit.intro ?? unit.heading ?? ""}\n${text}\n[${n}]`.trim();
    default:
      return unit.byline
        ? `“${text}” [${n}]`
        : `${unit.heading ? `${unit.heading} — ` : ""}${text} [${n}]`;
  }
}

/** A table line of nothing but pipes, dashes and colons: its rule, or a header of empty cells. */
const TABLE_RULE = /^[\s|:-]*$/;

/** Runs of spaces as one: the padding that aligns a table's columns in its source. */
function squeeze(line: string): string {
  return line.replace(/ {2,}/g, " ");
}

function gateCredit(similarity: number): number {
  return similarity === 1 ? 1 : similarity >= SOFT_MATCH ? SOFT_CREDIT : 0;
}

function rankCredit(similarity: number): number {
  return similarity >= 1
    ? 1
    : similarity >= SOFT_MATCH
      ? SOFT_RANK_CREDIT * similarity
      : similarity * 0;
}
