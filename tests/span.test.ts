import { describe, expect, it } from "vitest";
import { directSpan, identifierSpan, objectSpan } from "../src/answer/span.js";
import { stem } from "../src/text/tokens.js";

const LIMITS =
  "Type: number. Default: Infinity. Minimum: 1. The max number of runs in one interval.";

describe("the direct answer to how many", () => {
  it("is not a number labelled as the other bound than the one asked for", () => {
    const most = new Set(["how", "many", "runs", "at", "most"]);
    expect(directSpan(LIMITS, "count", [], most)?.text).not.toBe("1");
    const least = new Set(["how", "many", "runs", "at", "least"]);
    expect(directSpan("Maximum: 10. Minimum: 2.", "count", [], least)?.text).toBe("2");
    // Nothing asks for a bound: the label does not matter.
    expect(directSpan("Minimum: 3.", "count", [], new Set(["how", "many", "runs"]))?.text).toBe(
      "3",
    );
  });
});

describe("the identifier that answers 'which method…'", () => {
  // "Which method runs a search in MiniSearch?"
  const asked = new Set(["method", "run", "search", "minisearch", "mini"].map(stem));
  const plain = new Set(["run", "search"].map(stem));

  it("is not a method of the package that shares only the package's name with the question", () => {
    const text =
      "The default tokenizer can be obtained by calling `MiniSearch.getDefault('tokenize')`.";
    expect(identifierSpan(text, asked, plain)).toBeUndefined();
  });

  it("is the method whose own name is what the question asks", () => {
    const text =
      "Get the default with `MiniSearch.getDefault('x')`, then call `miniSearch.search('zen')`.";
    expect(identifierSpan(text, asked, plain)?.text).toBe("miniSearch.search");
  });
});

describe("the object of a verb", () => {
  it("never starts with the comma of the next clause", () => {
    const text = "This method returns `0` for the `NIL` UUID, and `15` for the `MAX` UUID.";
    // Read "UUID" as the verb asked about: what follows it is another clause, not its object.
    const found = objectSpan(text, [(word) => word.toLowerCase() === "uuid"], true);
    expect(found?.text ?? "").not.toMatch(/^[,;]/);
    expect(objectSpan(text, [(word) => word === "returns"], true)?.text).toBe(
      "`0` for the `NIL` UUID, and `15` for the `MAX` UUID",
    );
  });
});

describe("the object of a verb, where the phrase ends", () => {
  it("ends at a comma before an adverb, and goes on through a list", () => {
    const text =
      "The default is to generate version 4 UUIDS, however the other versions are supported.";
    expect(objectSpan(text, [(word) => word === "generate"], true)?.text).toBe("version 4 UUIDS");
    const list = "The co-sponsors called for Belarus, Cuba, and Egypt to join.";
    expect(objectSpan(list, [(word) => word === "called"], true)?.text).toBe(
      "Belarus, Cuba, and Egypt",
    );
  });
});

describe("a count", () => {
  it("is never the number of a name the question writes (uuid.v4 → 'version 4')", () => {
    const asked = new Set([
      "how",
      "many",
      "uuids",
      "per",
      "second",
      "can",
      "uuid",
      "v4",
      "generate",
    ]);
    expect(directSpan("Create an RFC version 4 (random) UUID", "count", [], asked)).toBeUndefined();
    expect(directSpan("It makes 10 UUIDs a second in version 4.", "count", [], asked)?.text).toBe(
      "10",
    );
  });
});
