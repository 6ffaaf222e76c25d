import { stem } from "../text/tokens.js";
import type { Unit } from "./units.js";

// The verbs by which a text (a resolution, a policy, a statement) makes its demands.
const DEMAND_VERB =
  /\b(?:call(?:s|ed|ing)?\s+(?:on|upon|for)|urg(?:es|ed|ing)|encourag(?:es|ed|ing)|propos(?:es|ed|ing)|emphasi[sz](?:es|ed|ing)|request(?:s|ed|ing)?|demand(?:s|ed|ing)?|recommend(?:s|ed|ing)?|stress(?:es|ed|ing)|invit(?:es|ed|ing)|insist(?:s|ed|ing)?\s+on|appeal(?:s|ed|ing)?\s+to)\b/gi;
/** A question is about demands when it asks what something demands, calls for, urges... */
export const DEMAND_QUESTION =
  /\b(demand|call|urge|propos|request|ask|want|recommend|require|push|encourag|emphasi[sz]|stress|invit)\w*\b|\bcalls?\s+(for|on|upon)\b/i;
// The demand verbs a question can name, by stem: "what does it propose?" lists its proposals only.
const SPECIFIC = [
  "urg",
  "encourag",
  "propos",
  "emphasi",
  "request",
  "recommend",
  "stress",
  "invit",
];
// Words between a subject and its verb that are not the subject ("It also proposes").
const ADVERBS =
  /(?:\s+(?:also|further|furthermore|again|strongly|then|therefore|moreover|explicitly))+\s*$/i;
// Pronouns that stand for the document's subject; people are someone else speaking about it.
const IT = new Set(["it", "this", "which"]);
/** Each demand is quoted up to this many characters, cut at a clause. */
const DEMAND_MAX = 160;
/** ...or this many when the question names one verb ("what does it propose?"): fewer are listed. */
const ONE_DEMAND_MAX = 300;

export interface Demand {
  unit: Unit;
  /** The clause, from the demand verb on, verbatim. */
  text: string;
  /** Whether its verb is the one the question names ("what does it PROPOSE?"). */
  named: boolean;
}

/**
 * What the document's subject demands: the clauses of the sentences whose verb is a demand verb
 * and whose subject is the thing asked about (or "it"), not a speaker's remarks about it.
 * `subjects` are the stems of the nouns that name the thing asked about.
 */
export function demandsOf(
  units: Unit[],
  subjects: Set<string>,
  question = "",
  /** Whether "it" and "this" stand for the thing asked about: not when that is someone else. */
  pronouns = true,
): Demand[] {
  const demands: Demand[] = [];
  const asked = SPECIFIC.find((verb) => new RegExp(`\\b${verb}`, "i").test(question));
  for (const unit of units) {
    if (unit.kind !== "sentence") continue;
    const text = unit.text;
    const verbs = [...text.matchAll(DEMAND_VERB)];
    let accepted = false;
    verbs.forEach((verb, v) => {
      const at = verb.index ?? 0;
      const before = text.slice(0, at);
      // "… calls upon all states … and encourages others …": the second verb shares the subject.
      const coordinated = v > 0 && /\band\s+$/i.test(before) && accepted;
      accepted = coordinated || subjectMatches(before, subjects, pronouns);
      if (!accepted) return;
      const named = !asked || new RegExp(`^${asked}`, "i").test(verb[0]);
      const end = verbs[v + 1]?.index ?? text.length;
      let clause = text
        .slice(at, end)
        .replace(/\s+(and|,)?\s*$/i, "")
        .replace(/[.;,]$/, "");
      const max = asked ? ONE_DEMAND_MAX : DEMAND_MAX;
      if (clause.length > max) {
        const comma = clause.lastIndexOf(",", max);
        const cut = comma > max / 2 ? comma : clause.lastIndexOf(" ", max);
        clause = `${clause.slice(0, cut).replace(/[,\s]+$/, "")} …`;
      }
      demands.push({ unit, text: clause, named });
    });
  }
  // "What does it urge?" with no "urges" in the text: every demand answers it.
  const named = demands.filter((demand) => demand.named);
  return named.length > 0 ? named : demands;
}

/** Whether the words before a demand verb make the thing asked about its subject. */
function subjectMatches(before: string, subjects: Set<string>, pronouns: boolean): boolean {
  const isSubject = (word: string) => (pronouns && IT.has(word)) || subjects.has(stem(word));
  const text = before.replace(ADVERBS, "").trimEnd();
  // "China and the co-sponsors, including Belarus, Cuba… and other countries, called for…": the
  // subject stands before the list it includes.
  const listed = text.replace(/,?\s+(?:including|such as)\s[^;:]*$/i, "");
  if (listed !== text && isSubject(lastWord(listed))) return true;
  // "…adopted a resolution, calling on…": a participle after a comma takes the noun before it.
  if (/,$/.test(text)) return isSubject(lastWord(text.slice(0, -1)));
  // Otherwise the clause's subject: its first phrase, past an opening phrase and a parenthesis.
  const clause = text.split(/[;:]|\s--\s/).pop() ?? text;
  const phrases = clause
    .split(",")
    .map((phrase) => phrase.trim())
    .filter(Boolean);
  const subject = phrases.find(
    (phrase) =>
      !/^(to|in|on|at|for|with|by|according|before|after|as|when|while|introducing|presenting|titled)\b/i.test(
        phrase,
      ) && !/^["“]/.test(phrase),
  );
  if (!subject) return false;
  // Its head noun: before a relative clause or a phrase that follows it ("the report ON the ferry").
  const head = subject.replace(/\s+(?:that|which|on|of|for|about|from|by|in|into)\b.*$/i, "");
  return isSubject(lastWord(head));
}

function lastWord(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}\p{N}'’-]+/gu) ?? [];
  return words[words.length - 1] ?? "";
}
