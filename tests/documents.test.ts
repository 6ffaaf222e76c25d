import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadDocuments } from "../src/documents/load.js";
import { tempDataDir } from "./support/dataDir.js";

let cleanup: () => Promise<void> = async () => {};
afterEach(() => cleanup());

async function docsWith(files: Record<string, string | Buffer>, withDocs = true) {
  const data = await tempDataDir({ withDocs });
  cleanup = data.remove;
  await mkdir(data.docs, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(data.docs, name)), { recursive: true });
    await writeFile(path.join(data.docs, name), content);
  }
  return data.docs;
}

describe("loading documents", () => {
  it("reads the article with its headline as title and the date marker as date", async () => {
    const { documents, skipped } = await loadDocuments(await docsWith({}), 5_000_000);
    expect(skipped).toEqual([]);
    expect(documents).toHaveLength(1);
    const [article] = documents;
    expect(article.title).toBe(
      "UN rights body adopts China-sponsored resolution on human rights cooperation",
    );
    expect(article.date).toBe("2021-03-24");
    expect(article.source).toBe("un-hrc-cooperation-resolution.txt");
    expect(article.id).toBe("un-hrc-cooperation-resolution.txt");
    expect(article.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(article.text).toContain("Chen Xu, head of the Chinese Mission");
  });

  it("takes a markdown title from its first heading and reduces HTML to its readable text", async () => {
    const docs = await docsWith(
      {
        "guide.md": "Intro line\n\n# Moderation guide\n\nBe kind.\n",
        "sub/page.html":
          "<html><head><title>Server rules</title><style>p{color:red}</style></head><body><h1>Rules</h1><p>No <b>spam</b> please.</p><script>alert(1)</script></body></html>",
      },
      false,
    );
    const { documents, skipped } = await loadDocuments(docs, 5_000_000);
    expect(skipped).toEqual([]);
    const guide = documents.find((doc) => doc.source === "guide.md");
    const page = documents.find((doc) => doc.source === path.join("sub", "page.html"));
    expect(guide?.title).toBe("Moderation guide");
    expect(guide?.date).toBeUndefined();
    expect(page?.id).toBe("sub/page.html");
    expect(page?.title).toBe("Server rules");
    // HTML is kept as Markdown, so that it is cut by its headings, lists and tables.
    expect(page?.text).toContain("# Rules");
    expect(page?.text).toContain("No **spam** please.");
    expect(page?.text).not.toMatch(/<|alert|color:red/);
  });

  it("skips each bad file with a reason and still loads the others", async () => {
    const docs = await docsWith({
      "empty.txt": "   \n\n",
      "binary.txt": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]),
      "latin1.txt": Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]),
      "big.md": "word ".repeat(300),
      "slides.pptx": "not really",
      ".hidden.txt": "ignored",
    });
    const { documents, skipped } = await loadDocuments(docs, 1000);
    expect(documents.map((doc) => doc.source)).toEqual([]);
    // The article itself is larger than the 1000-byte limit used here.
    const reasons = Object.fromEntries(skipped.map((file) => [file.source, file.reason]));
    expect(reasons["empty.txt"]).toMatch(/empty/);
    expect(reasons["binary.txt"]).toMatch(/binary/);
    expect(reasons["latin1.txt"]).toMatch(/UTF-8/);
    expect(reasons["big.md"]).toMatch(/too large.*MAX_DOCUMENT_BYTES/);
    expect(reasons["slides.pptx"]).toMatch(/unsupported file type "\.pptx"/);
    expect(reasons["un-hrc-cooperation-resolution.txt"]).toMatch(/too large/);
    expect(reasons[".hidden.txt"]).toBeUndefined();

    const generous = await loadDocuments(docs, 5_000_000);
    expect(generous.documents.map((doc) => doc.source).sort()).toEqual([
      "big.md",
      "un-hrc-cooperation-resolution.txt",
    ]);
    expect(generous.skipped).toHaveLength(4);
  });

  it("lists a symbolic link as skipped, with why, and does not follow it", async () => {
    const docs = await docsWith({ "notes.txt": "Notes\n\nThe moderators meet on Fridays." }, false);
    const outside = path.join(path.dirname(docs), "secret.txt");
    await writeFile(outside, "Secret\n\nThe admin password is hunter2.");
    await symlink(outside, path.join(docs, "linked.txt"));
    await mkdir(path.join(docs, "sub"));
    await symlink(path.dirname(docs), path.join(docs, "sub", "loop"));
    const { documents, skipped } = await loadDocuments(docs, 5_000_000);
    expect(documents.map((doc) => doc.source)).toEqual(["notes.txt"]);
    expect(skipped).toEqual([
      { source: "linked.txt", reason: expect.stringMatching(/symbolic link, not followed/) },
      {
        source: path.join("sub", "loop"),
        reason: expect.stringMatching(/symbolic link, not followed/),
      },
    ]);
  });

  it("gives a.txt and a.md different ids", async () => {
    const docs = await docsWith({ "a.txt": "Plain\n\nOne.", "a.md": "# Marked\n\nTwo." }, false);
    const { documents } = await loadDocuments(docs, 5_000_000);
    expect(documents.map((doc) => doc.id).sort()).toEqual(["a.md", "a.txt"]);
  });

  it("decodes the entities of an HTML title", async () => {
    const docs = await docsWith(
      {
        "faq.html":
          "<html><head><title>Rights &amp; Duties &#8211; FAQ</title></head><body><p>Be kind.</p></body></html>",
      },
      false,
    );
    const { documents } = await loadDocuments(docs, 5_000_000);
    expect(documents[0].title).toBe("Rights & Duties \u2013 FAQ");
  });
});
