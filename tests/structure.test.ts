import { describe, expect, it } from "vitest";
import { cutToClauses } from "../src/answer/clauses.js";
import { htmlToMarkdown } from "../src/documents/html.js";
import { splitMarkdown } from "../src/index/splitter.js";

const readme = `# widget [![build](https://ci.example/badge.svg)](https://ci.example)

A tiny widget.

## Install

\`\`\`sh
npm install widget
\`\`\`

## Options

### level

Type: \`string\`\\
Default: \`'info'\`

The least level logged.

### Features

The widget has these features:

- Fast start
- Zero external dependencies
- Plugins

| option | default | meaning |
| --- | --- | --- |
| \`color\` | \`true\` | colours the output |
| \`width\` | \`80\` | columns used |
`;

describe("Markdown is cut by its structure", () => {
  const chunks = splitMarkdown(readme, 120);

  it("never crosses a heading, and keeps the headings above each chunk", () => {
    for (const chunk of chunks) {
      expect(readme.slice(chunk.start, chunk.end)).toBe(chunk.text);
      // Headings stand only at the start of a chunk (an empty section joins the next one).
      const body = chunk.text.replace(/^(?:#{1,6} .*\n+)+/, "");
      expect(body.match(/^#{1,6} /m)).toBeNull();
    }
    const level = chunks.find((chunk) => chunk.text.includes("Default: `'info'`"));
    expect(level?.headings).toEqual(["widget", "Options", "level"]);
    expect(level?.text).toContain("The least level logged.");
  });

  it("cuts a long list between items and carries its lead-in to the next chunk", () => {
    const small = splitMarkdown(readme, 60);
    const later = small.find(
      (chunk) => chunk.text.includes("Plugins") && !chunk.text.includes("these features"),
    );
    expect(later?.lead).toBe("The widget has these features:");
  });

  it("cuts a long code block between lines and carries its opening fence", () => {
    const code = Array.from(
      { length: 12 },
      (_, i) => `  step${i}: (doc, fieldName) => doc[fieldName],`,
    );
    const small = splitMarkdown(
      `## Extraction\n\n\`\`\`js\nconst options = {\n${code.join("\n")}\n}\n\`\`\`\n`,
      120,
    );
    const later = small.filter((chunk) => !chunk.text.includes("```js"));
    expect(later.length).toBeGreaterThan(0);
    for (const chunk of later) expect(chunk.lead).toBe("```js");
  });

  it("never leaves a table's header row apart from its rows", () => {
    const rows = Array.from({ length: 8 }, (_, i) => `\`opt${i}\` | does thing number ${i}`);
    const text = `## Formats\n\n${"Some words before the table. ".repeat(3)}\n\nFormat | Description\n------ | -----------\n${rows.join("\n")}\n`;
    for (const size of [100, 110, 120, 130, 140]) {
      for (const chunk of splitMarkdown(text, size)) {
        if (chunk.text.includes("Format | Description"))
          expect(chunk.text, `size ${size}`).toContain("`opt0`");
      }
    }
  });

  it("cuts a long table between rows and carries its header", () => {
    const small = splitMarkdown(readme, 70);
    const row = small.find(
      (chunk) => chunk.text.includes("`width`") && !chunk.text.includes("| option"),
    );
    expect(row?.lead).toContain("| option | default | meaning |");
  });
});

describe("HTML is read as Markdown", () => {
  it("keeps headings, lists and tables, drops scripts, and decodes the title", () => {
    const { markdown, title } = htmlToMarkdown(
      "<html><head><title>Rights &amp; Duties &#8211; FAQ</title><script>x()</script></head><body><h2>Rules</h2><ul><li>Be kind</li><li>No spam</li></ul><table><tr><th>Day</th><th>Event</th></tr><tr><td>Friday</td><td>Meeting</td></tr></table></body></html>",
    );
    expect(title).toBe("Rights & Duties – FAQ");
    expect(markdown).toMatch(/^## Rules$/m);
    expect(markdown).toMatch(/^- +Be kind$/m);
    expect(markdown).toMatch(/\| Friday +\| Meeting +\|/);
    expect(markdown).not.toContain("x()");
  });
});

describe("quotes cut to the clause", () => {
  const sentence =
    "GENEVA, March 23 (Xinhua) -- The United Nations (UN) Human Rights Council on Tuesday adopted a China-sponsored resolution, calling on the states and other stakeholders to engage in constructive and genuine dialogue and cooperation in the field of human rights, based on universality, impartiality, objectivity, indivisibility, non-selectivity, non-politicization, equality and mutual respect.";

  it("keeps the clauses holding what matters and marks each cut, changing no word", () => {
    const cut = cutToClauses(sentence, [sentence.indexOf("Tuesday")]);
    expect(cut).toContain("on Tuesday adopted a China-sponsored resolution");
    expect(cut.startsWith("… ")).toBe(true);
    expect(cut.endsWith(" …")).toBe(true);
    for (const piece of cut
      .split("…")
      .map((part) => part.trim())
      .filter(Boolean))
      expect(sentence).toContain(piece);
  });

  it("keeps a list whole rather than cutting between its elements", () => {
    const cut = cutToClauses(sentence, [sentence.indexOf("based on")]);
    expect(cut).toContain(
      "based on universality, impartiality, objectivity, indivisibility, non-selectivity, non-politicization, equality and mutual respect",
    );
  });

  it("keeps a short sentence whole", () => {
    expect(cutToClauses("It was adopted on Tuesday, in Geneva.", [3])).toBe(
      "It was adopted on Tuesday, in Geneva.",
    );
  });
});
