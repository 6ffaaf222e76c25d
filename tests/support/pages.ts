import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Page = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP server serving the given pages by path, and counting the requests. */
export async function servePages(pages: Record<string, Page>) {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? "/");
    const page = pages[new URL(req.url ?? "/", "http://localhost").pathname];
    if (page) page(req, res);
    else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    url: (pathname: string) => `http://127.0.0.1:${port}${pathname}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A page with this body and type. */
export function body(content: string | Buffer, type = "text/plain; charset=utf-8"): Page {
  return (_req, res) => res.writeHead(200, { "content-type": type }).end(content);
}
