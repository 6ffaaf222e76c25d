import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { REPO } from "./dataDir.js";
import { storeEnv } from "./postgres.js";

/** A command run as a user runs it, in its own process group so that all of it can be ended. */
export function run(args: string[], env: Record<string, string>, input?: string) {
  const child = spawn("npm", args, {
    cwd: REPO,
    env: { ...process.env, ...storeEnv(env.DATA_DIR), ...env },
    detached: true,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  child.stdin?.end(input);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  // Once every process of the command (npm, tsx, node) has ended and let go of the output.
  const closed = once(child, "close");
  return { child, exited, closed, output: () => ({ stdout, stderr }) };
}

export function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
