// A PGlite server in a thread of its own (see postgres.ts): PGlite runs PostgreSQL in
// WebAssembly on the thread that created it, and a long statement there would stall the test's
// thread, which also runs the bot and the loopback Discord. A real PostgreSQL is a process apart.
import { readFile } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

const { template, maxConnections } = workerData;
const bytes = await readFile(template).catch(() => undefined);
const db = await PGlite.create({
  extensions: { vector },
  ...(bytes ? { loadDataDir: new Blob([bytes]) } : {}),
});
let port = 0;
let server;

// PGlite is one session that every client shares, and its socket server runs each client's data
// as it arrives. A PostgreSQL server gives each client a session: a client's statement sent as
// Parse, Bind, Execute and Sync in several writes is never cut into by another's. The socket
// server keeps a client's turn while a transaction is open; the same is done here while a client's
// extended-protocol exchange is open (its last message was not a Sync, a Query or a Terminate).
let exchangeOpen = false;
const execProtocolRawStream = db.execProtocolRawStream.bind(db);
db.execProtocolRawStream = (message, options) => {
  exchangeOpen = !endsExchange(message);
  return execProtocolRawStream(message, options);
};
const isInTransaction = db.isInTransaction.bind(db);
db.isInTransaction = () => exchangeOpen || isInTransaction();

/** Whether the last message of a chunk of the frontend protocol ends an exchange. */
function endsExchange(chunk) {
  // A startup message (or an SSL or cancel request) has no type byte: its length's first byte is
  // 0, which no typed message has. It opens no exchange: a client that connects and then sends
  // nothing must not keep the turn from the others.
  if (chunk[0] === 0) return true;
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let last;
  // Each message: a type byte, then its length (which counts itself but not the type).
  for (let at = 0; at + 5 <= chunk.length; at += 1 + view.getInt32(at + 1)) last = chunk[at];
  return last === undefined || last === 0x53 || last === 0x51 || last === 0x58;
}

async function start() {
  server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections });
  await server.start();
  port = server.server.address().port;
}

await start();
parentPort.on("message", async (command) => {
  if (command === "pause") await server.stop();
  else if (command === "resume") await start();
  else if (command === "stop") {
    await server.stop().catch(() => {});
    await db.close();
  }
  parentPort.postMessage({ done: command, port });
});
parentPort.postMessage({ done: "start", port });
