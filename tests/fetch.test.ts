import { afterAll, beforeAll, expect, test } from "vitest";
import { fetchDocument } from "../src/documents/fetch.js";
import { body, servePages } from "./support/pages.js";

// Fetching a link: the address is checked on the socket, after DNS, at every hop; time and size
// are bounded.

let pages: Awaited<ReturnType<typeof servePages>>;

beforeAll(async () => {
  pages = await servePages({
    "/page": body("<html><body><p>Hello</p></body></html>", "text/html"),
    "/hop": (_req, res) => res.writeHead(301, { location: "/page" }).end(),
    "/slow": (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a first part, then nothing more");
    },
    "/endless": (_req, res) => {
      // No Content-Length: the size is only known by reading.
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(64 * 1024, "a");
      const write = () => {
        while (res.write(chunk)) {}
        res.once("drain", write);
      };
      write();
    },
  });
});

afterAll(async () => {
  await pages?.close();
});

const options = { maxBytes: 1024 * 1024, allowPrivate: false };

test.each([
  ["a loopback address", () => pages.url("/page")],
  [
    "a host name that resolves to loopback",
    () => pages.url("/page").replace("127.0.0.1", "localhost"),
  ],
  ["a private address", () => "http://10.0.0.1/page"],
  ["a link-local address (cloud metadata)", () => "http://169.254.169.254/latest/meta-data"],
])("refuses %s without ALLOW_PRIVATE_URLS, before any request reaches it", async (_, url) => {
  const before = pages.requests.length;
  await expect(fetchDocument(url(), options)).rejects.toThrow(
    /non-public address: only public pages can be added .*ALLOW_PRIVATE_URLS=true/,
  );
  expect(pages.requests.length).toBe(before);
});

test("with private addresses allowed, follows redirects and records where the content came from", async () => {
  const fetched = await fetchDocument(pages.url("/hop"), { ...options, allowPrivate: true });
  expect(fetched.url).toBe(pages.url("/page"));
  expect(fetched.contentType).toBe("text/html");
  expect(fetched.bytes.toString()).toContain("Hello");
});

test("gives up on a page that stops sending, at the time limit", async () => {
  const started = performance.now();
  await expect(
    fetchDocument(pages.url("/slow"), { ...options, allowPrivate: true, timeoutMs: 500 }),
  ).rejects.toThrow(/did not answer within 0.5 s/);
  expect(performance.now() - started).toBeLessThan(5000);
});

test("stops reading a page without a declared size past the limit", async () => {
  await expect(
    fetchDocument(pages.url("/endless"), { ...options, allowPrivate: true }),
  ).rejects.toThrow(/too large \(more than that; the limit is 1,048,576 bytes/);
});
