// Words about the document rather than its topic: "what does THE ARTICLE say…", "what is THE TEXT
// ACTUALLY asking…". They would pull the search towards documents that merely contain "text" or
// "article", so they are left out of the search (the answerer still reads the whole question).
const ABOUT_THE_DOCUMENT =
  /\b(?:the|this|that|your|these)\s+(?:text|article|story|report|document|doc|piece|page|passage|readme|news(?:\s+item)?)\b|\b(?:actually|really|exactly|basically)\b/gi;

/** The words of a question to search the documents with. */
export function searchQuery(question: string): string {
  const query = question.replace(ABOUT_THE_DOCUMENT, " ").replace(/\s+/g, " ").trim();
  return /[\p{L}\p{N}]/u.test(query) ? query : question;
}
