import { describe, expect, it } from "vitest";
import { directSpan } from "../src/answer/span.js";

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
