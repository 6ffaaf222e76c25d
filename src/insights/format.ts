import type { InsightsReport } from "./report.js";

/** A share as a whole percentage. */
export function percent(rate: number | null): string {
  return rate === null ? "n/a" : `${Math.round(rate * 100)}%`;
}

/** The report as plain text for a terminal. */
export function insightsText(report: InsightsReport): string {
  const where = report.guildId ? `server ${report.guildId}` : "every server";
  const lines = [
    `Insights for ${where}, last ${report.days} days (since ${report.since})`,
    "",
    `Questions: ${report.questions} (${report.answered} answered, ${report.refused} refused; answer rate ${percent(report.answerRate)})`,
    `Median time to answer: ${report.medianMs === null ? "n/a" : `${report.medianMs} ms`}`,
    `Votes: ${report.votes.up} up, ${report.votes.down} down`,
  ];
  if (!report.questionsKept) {
    lines.push("", "HISTORY_DAYS=0: no question text is kept, only these counts.");
    return lines.join("\n");
  }
  const list = (title: string, items: string[]) => {
    lines.push("", `${title}:`);
    lines.push(...(items.length ? items.map((item) => `  ${item}`) : ["  (none)"]));
  };
  list(
    "Most asked",
    report.frequent.map((g) => `${g.count}× ${g.question}`),
  );
  list(
    "What the documents miss (refused)",
    report.gaps.map((g) => `${g.count}× ${g.question}`),
  );
  list(
    "Answers with 👎",
    report.downvoted.map(
      (d) => `${d.down}× ${d.question} → ${d.answer.replace(/\s+/g, " ").slice(0, 120)}`,
    ),
  );
  list(
    "Documents cited most",
    report.documents.cited.map((d) => `${d.count}× ${d.source}`),
  );
  list("Documents never cited", report.documents.never);
  return lines.join("\n");
}

/** The report as one JSON object for scripts. */
export function insightsJson(report: InsightsReport): string {
  return JSON.stringify({
    days: report.days,
    since: report.since,
    ...(report.guildId ? { guild: report.guildId } : {}),
    questions: report.questions,
    answered: report.answered,
    refused: report.refused,
    answerRate: report.answerRate,
    medianMs: report.medianMs,
    votes: report.votes,
    frequent: report.frequent,
    gaps: report.gaps,
    downvoted: report.downvoted.map(({ question, answer, down }) => ({ question, answer, down })),
    documents: report.documents,
    perDay: report.perDay,
  });
}
