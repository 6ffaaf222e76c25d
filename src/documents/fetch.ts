import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { DocumentError } from "./extract.js";

/** How long a page may take, all redirects included, before the add gives up. */
export const FETCH_TIMEOUT_MS = 15_000;
/** Redirects followed before a link is taken for a loop. */
export const MAX_REDIRECTS = 5;

export interface Fetched {
  bytes: Buffer;
  contentType?: string;
  /** The address the content came from, after redirects. */
  url: string;
}

export interface FetchOptions {
  maxBytes: number;
  /** Lets links lead to private, loopback and link-local addresses (ALLOW_PRIVATE_URLS). */
  allowPrivate: boolean;
  timeoutMs?: number;
}

// The filter checks the address the socket connects to, after DNS, at every connection (every
// redirect is a new one): a host name that resolves to a private address is refused too.
const agents = (allowPrivate: boolean) => ({
  "http:": new RequestFilteringHttpAgent({ allowPrivateIPAddress: allowPrivate, keepAlive: false }),
  "https:": new RequestFilteringHttpsAgent({
    allowPrivateIPAddress: allowPrivate,
    keepAlive: false,
  }),
});
const PUBLIC_ONLY = agents(false);
const ANY_ADDRESS = agents(true);

/** Reads a response's body, stopping (and failing) as soon as it passes the limit. */
async function readLimited(response: IncomingMessage, maxBytes: number, what: string) {
  const tooLarge = (size: string) =>
    new DocumentError(
      `${what} is too large (${size}; the limit is ${maxBytes.toLocaleString("en")} bytes, MAX_DOCUMENT_BYTES): split it, or link to a smaller page.`,
    );
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge(`${declared.toLocaleString("en")} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw tooLarge("more than that");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function get(url: URL, allowPrivate: boolean, signal: AbortSignal): Promise<IncomingMessage> {
  const protocol = url.protocol as "http:" | "https:";
  const agent = (allowPrivate ? ANY_ADDRESS : PUBLIC_ONLY)[protocol];
  const request = protocol === "https:" ? https.get : http.get;
  return new Promise((resolve, reject) => {
    request(
      url,
      { agent, signal, headers: { "user-agent": "docs-qa-bot", accept: "*/*" } },
      resolve,
    ).on("error", reject);
  });
}

/**
 * Fetches a link's content: http and https only, within the time limit and the size limit, at
 * most MAX_REDIRECTS redirects, and (unless allowed) never from a non-public address. Throws a
 * DocumentError that says what went wrong.
 */
export async function fetchDocument(link: string, options: FetchOptions): Promise<Fetched> {
  const timeoutMs = options.timeoutMs ?? FETCH_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new DocumentError(
      `"${link}" is not a link: give a full address, such as https://example.org/page.`,
    );
  }
  for (let redirects = 0; ; redirects++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new DocumentError(
        `Only http and https links can be added, not ${url.protocol.replace(":", "")}.`,
      );
    }
    let response: IncomingMessage;
    try {
      response = await get(url, options.allowPrivate, signal);
    } catch (error) {
      throw fetchFailure(error as Error, url, timeoutMs, signal.aborted);
    }
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      response.resume();
      if (redirects >= MAX_REDIRECTS) {
        throw new DocumentError(
          `The link redirects more than ${MAX_REDIRECTS} times (a redirect loop?): link to the page it ends at.`,
        );
      }
      url = new URL(location, url);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new DocumentError(
        `${url.host} answered ${status} ${response.statusMessage ?? ""}`.trim() +
          ": check the link, or try again later.",
      );
    }
    try {
      const bytes = await readLimited(response, options.maxBytes, "The page");
      const contentType = response.headers["content-type"];
      return { bytes, url: url.href, ...(contentType ? { contentType } : {}) };
    } catch (error) {
      if (error instanceof DocumentError) throw error;
      throw fetchFailure(error as Error, url, timeoutMs, signal.aborted);
    }
  }
}

function fetchFailure(error: Error, url: URL, timeoutMs: number, timedOut: boolean): DocumentError {
  if (/is not allowed/.test(error.message)) {
    return new DocumentError(
      `${url.host} is a private, local or otherwise non-public address: only public pages can be added (an operator may allow private ones with ALLOW_PRIVATE_URLS=true).`,
    );
  }
  if (timedOut) {
    return new DocumentError(
      `${url.host} did not answer within ${timeoutMs / 1000} s: try again later, or save the page as a file and add that.`,
    );
  }
  return new DocumentError(
    `${url.host} could not be reached (${error.message}): check the link, or try again later.`,
  );
}

/**
 * Downloads a Discord attachment: its size was checked against the limit before, and reading
 * stops past the limit all the same (the reported size could be wrong).
 */
export async function downloadAttachment(link: string, maxBytes: number): Promise<Buffer> {
  const url = new URL(link);
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  let response: IncomingMessage;
  try {
    // Discord's own address, not a member's link: no filter.
    response = await get(url, true, signal);
  } catch (error) {
    throw new DocumentError(
      `The attachment could not be downloaded from Discord (${(error as Error).message}): try again.`,
    );
  }
  if (response.statusCode !== 200) {
    response.resume();
    throw new DocumentError(
      `Discord answered ${response.statusCode} for the attachment: try again, or upload it again.`,
    );
  }
  return readLimited(response, maxBytes, "The file");
}
