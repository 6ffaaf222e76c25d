// Words about the document rather than its topic: "what does THE ARTICLE say…", "what is THE TEXT
// ACTUALLY asking…". They would pull the search towards documents that merely contain "text" or
// "article", so they are left out of the search (the answerer still reads the whole question).
const ABOUT_THE_DOCUMENT =
  /\b(?:the|this|that|your|these)\s+(?:text|article|story|report|document|doc|piece|page|passage|readme|news(?:\s+item)?)\b|\b(?:actually|really|exactly|basically)\b/gi;

// "What is the NAME of…?": documents seldom say "its name is"; they write that a thing is titled,
// called or named something, so those words are searched for too.
const ASKS_NAME =
  /\bwhat(?:'s|\s+is|\s+was|\s+are)\s+(?:the|its|their)\s+(?:\w+\s+)?(?:name|title)s?\b/i;
const NAMED = "titled called named";

/** The words of a question to search the documents with. */
export function searchQuery(question: string): string {
  const words = ASKS_NAME.test(question) ? `${question} ${NAMED}` : question;
  const query = words.replace(ABOUT_THE_DOCUMENT, " ").replace(/\s+/g, " ").trim();
  return /[\p{L}\p{N}]/u.test(query) ? query : question;
}
