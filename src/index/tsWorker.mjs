// Starts a worker thread whose module is TypeScript (the sources run under tsx and vitest, and a
// worker does not inherit their loaders): registers tsx in this thread, then loads the module
// named by workerData.module.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.module);
