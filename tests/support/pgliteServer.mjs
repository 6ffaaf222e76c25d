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
