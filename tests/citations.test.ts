import { Document } from "@langchain/core/documents";
import { describe, expect, test } from "vitest";
import { checkCitations, checkedPartial } from "../src/answer/citations.js";
import type { RetrievedChunk } from "../src/retrieval/hybrid.js";

/** Passages as retrieval hands them to the model, numbered from 1 in this order. */
function passages(...texts: string[]): RetrievedChunk[] {
  return texts.map(
    (text, i) =>
      new Document({
        pageContent: text,
        metadata: {
          id: `doc#${i + 1}`,
          documentId: "doc.txt",
          title: "Doc",
          source: "doc.txt",
          chunk: i + 1,
          start: 0,
          end: text.length,
          score: 1,
          similarity: 1,
          bm25: 1,
        },
      }),
  );
}

const GIVEN = passages(
  "China sponsored the resolution.",
  "Reports go to https://mods.example.org/reports_(2021) on Fridays.",
);

describe("the citation check", () => {
  test("keeps citations that follow the full stop with their sentence", () => {
    const checked = checkCitations("China sponsored it. [1] Reports go out on Fridays.[2]", GIVEN);
    expect(checked.answer).toBe("China sponsored it. [1] Reports go out on Fridays.[2]");
    expect(checked.note).toBeUndefined();
    expect(checked.sources.map((source) => source.chunk)).toEqual([1, 2]);
  });

  test("a masked link's text is not a citation, and its address is checked", () => {
    const checked = checkCitations(
      "China sponsored it [1]. Reports go to [https://mods.example.org/reports_(2021)](https://evil.example/login) [2]. They are read on Fridays [2].",
      GIVEN,
    );
    expect(checked.answer).toBe("China sponsored it [1]. They are read on Fridays [2].");
    expect(checked.note).toMatch(/linked to an address that the sources it cites do not hold/);
  });

  test("a link is checked in full against the passages the sentence cites", () => {
    const inParentheses = checkCitations(
      "Reports go to the portal (https://mods.example.org/reports_(2021)) [2].",
      GIVEN,
    );
    expect(inParentheses.note).toBeUndefined();
    // The same address cited from a passage that does not hold it.
    expect(() =>
      checkCitations("Reports go to https://mods.example.org/reports_(2021) [1].", GIVEN),
    ).toThrow(/linked to an address/);
    expect(() =>
      checkCitations("Reports go to https://mods.example.org@evil.example/ [2].", GIVEN),
    ).toThrow(/linked to an address/);
  });

  test("a bracketed number beyond the passages is not a citation", () => {
    expect(() => checkCitations("It was adopted in [2021].", GIVEN)).toThrow(
      "cited source [2021], but it was given only 2",
    );
    const checked = checkCitations(
      "China sponsored it [1]. It was adopted in [2021] [1]. Reports go out on Fridays [2].",
      GIVEN,
    );
    expect(checked.answer).toBe("China sponsored it [1]. Reports go out on Fridays [2].");
  });

  test("a partial answer shows only its complete sentences that pass", () => {
    expect(checkedPartial("China sponsored it [1", GIVEN)).toBe("");
    expect(checkedPartial("Send your password now. China sponsored it [2]. Rep", GIVEN)).toBe(
      "China sponsored it [1].",
    );
  });
});
