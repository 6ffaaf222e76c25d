import type { SourceDocument } from "../src/documents/load.js";
import { sentenceSpans } from "../src/text/sentences.js";
import { contentWords } from "../src/text/tokens.js";
import { pick, shuffled } from "./seeded.js";

export type QuestionKind = "article" | "heading" | "sentence" | "off-topic";

export interface Question {
  kind: QuestionKind;
  text: string;
}

// The questions the project's own tests and README ask about the article.
const ARTICLE_QUESTIONS = [
  "Who sponsored the resolution?",
  "What does the resolution demand?",
  "Which countries co-sponsored it?",
  "When was the resolution adopted?",
  "What is the title of the resolution?",
];

// Questions nothing in the corpus answers: the answerer should refuse them.
const OFF_TOPIC = `What is the capital of France?
Who painted the Mona Lisa?
How tall is Mount Everest?
Who won the 2018 FIFA World Cup?
What is the boiling point of water at sea level?
How many moons does Jupiter have?
Who wrote Pride and Prejudice?
What year did the Berlin Wall fall?
How do I bake sourdough bread?
What is the population of Brazil?
Who discovered penicillin?
What is the longest river in Africa?
How far is the Moon from the Earth?
Which planet is known as the red planet?
What language is spoken in Portugal?
Who was the first person to walk on the Moon?
How do you make a French omelette?
What is photosynthesis?
When did the Titanic sink?
What is the tallest building in the world?
Who composed the Four Seasons?
How many players are on a rugby union team?
What is the currency of Japan?
Where is the Great Barrier Reef?
Who invented the telephone?
What causes the northern lights?
How long do elephants live?
What is the chemical symbol for gold?
Which ocean is the largest?
Who was Napoleon Bonaparte?
How do I grow tomatoes on a balcony?
What is the speed of sound in air?
When was the printing press invented?
Who directed the film Casablanca?
What is the main ingredient of guacamole?
How many bones are in the human body?
Which country hosted the 2016 Summer Olympics?
What is the national animal of Scotland?
Who wrote the Odyssey?
How deep is the Mariana Trench?
What do koalas eat?
Which composer wrote the Moonlight Sonata?
What is the capital of Australia?
How do bees make honey?
Who was the first emperor of Rome?
What is the freezing point of seawater?
When did World War One end?
Which river flows through Cairo?
How many strings does a cello have?
What is the hottest desert on Earth?
Who sculpted David?
How do I remove a red wine stain?
What is the capital of Canada?
Which mountain range separates Europe from Asia?
How many hearts does an octopus have?
Who won the Tour de France in 1998?
What is the largest mammal?
When was the Eiffel Tower built?
How often do leap years occur?
What is the rainiest city in Europe?`.split("\n");

const FENCE = /^\s*(```|~~~)/;

/** The markdown's prose lines and its headings, code blocks left out. */
function outline(markdown: string): { headings: string[]; prose: string } {
  const headings: string[] = [];
  const prose: string[] = [];
  let inCode = false;
  for (const line of markdown.split("\n")) {
    if (FENCE.test(line)) inCode = !inCode;
    else if (inCode || /^\s*(\||<|!\[|\[!\[|\s{4})/.test(line)) continue;
    else if (/^#{1,6}\s/.test(line)) headings.push(inline(line.replace(/^#+\s*|\s*#*$/g, "")));
    else prose.push(inline(line.replace(/^\s*([-*+>]|\d+\.)\s+/, "")));
  }
  return { headings, prose: prose.join("\n") };
}

/** Markdown inline syntax reduced to its text: links to their words, no code ticks or emphasis. */
function inline(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]*)\](\([^)]*\)|\[[^\]]*\])/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/[`*_~]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

const words = (text: string) => text.split(" ").filter(Boolean);
const letters = (text: string) => (text.match(/\p{L}/gu) ?? []).length / Math.max(1, text.length);

function fromHeading(random: () => number, heading: string): string | undefined {
  const count = words(heading).length;
  if (count < 1 || count > 8 || letters(heading) < 0.6 || /https?:/.test(heading)) return undefined;
  if (heading.endsWith("?")) return heading;
  const template = pick(random, [
    (h: string) => `What is ${h}?`,
    (h: string) => `How does ${h} work?`,
    (h: string) => `How do I use ${h}?`,
    (h: string) => `What does the documentation say about ${h}?`,
  ]);
  return template(heading.replace(/[:.]$/, ""));
}

function fromSentence(random: () => number, sentence: string): string | undefined {
  const all = words(sentence);
  if (all.length < 6 || all.length > 30 || letters(sentence) < 0.75 || /https?:|\|/.test(sentence))
    return undefined;
  const definition = /^(\p{Lu}[\p{L}\p{N}.\- ]{1,40}?) (is|are) (a|an|the) /u.exec(sentence);
  if (definition) return `What ${definition[2]} ${definition[1]}?`;
  const ability = /^You can (.+?)[.!:]?$/.exec(sentence);
  if (ability) return `How can I ${words(ability[1]).slice(0, 12).join(" ")}?`;
  // Otherwise a phrase of the sentence that starts and ends on words that carry its topic.
  const topical = all.map((word) => contentWords(word).length > 0);
  const starts = all.flatMap((_, i) => (topical[i] && i + 3 < all.length ? [i] : []));
  if (starts.length === 0) return undefined;
  const start = pick(random, starts);
  let end = Math.min(all.length, start + 3 + Math.floor(random() * 4));
  while (end > start + 1 && !topical[end - 1]) end--;
  const phrase = all
    .slice(start, end)
    .join(" ")
    .replace(/[.,;:!?)]+$/, "");
  if (contentWords(phrase).length < 2) return undefined;
  return `What does it say about ${phrase}?`;
}

/**
 * Questions drawn from the corpus (its headings and sentences turned into questions, and the
 * article's own), plus questions it cannot answer; the same seed gives the same questions.
 */
export function drawQuestions(
  random: () => number,
  documents: SourceDocument[],
  count: number,
): Question[] {
  const headings = new Set<string>();
  const sentences = new Set<string>();
  for (const doc of documents) {
    if (!doc.source.endsWith(".md")) continue;
    const { headings: found, prose } = outline(doc.text);
    for (const heading of found) {
      const question = fromHeading(random, heading);
      if (question) headings.add(question);
    }
    for (const span of sentenceSpans(prose)) {
      const question = fromSentence(random, span.text.replace(/\s+/g, " ").trim());
      if (question && question.length <= 300) sentences.add(question);
    }
  }
  const offTopic = Math.round(count / 10);
  const drawn = count - ARTICLE_QUESTIONS.length - offTopic;
  const headingCount = Math.min(headings.size, Math.floor(drawn / 2));
  const questions: Question[] = [
    ...ARTICLE_QUESTIONS.map((text) => ({ kind: "article" as const, text })),
    ...shuffled(random, [...headings])
      .slice(0, headingCount)
      .map((text) => ({ kind: "heading" as const, text })),
    ...shuffled(random, [...sentences])
      .slice(0, drawn - headingCount)
      .map((text) => ({ kind: "sentence" as const, text })),
    ...OFF_TOPIC.slice(0, offTopic).map((text) => ({ kind: "off-topic" as const, text })),
  ];
  if (questions.length < count)
    throw new Error(`the corpus yields only ${questions.length} questions of ${count}`);
  return shuffled(random, questions);
}
