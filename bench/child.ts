import { fork } from "node:child_process";

/**
 * Runs a bench module in a process of its own, so that its time and peak memory are its own:
 * sends it one message and resolves with the one it sends back.
 */
export function runInChild<Input, Output>(
  module: URL,
  input: Input,
  nodeOptions: string[] = [],
): Promise<Output> {
  return new Promise((resolve, reject) => {
    // execArgv carries tsx's loader from this process to the child.
    const child = fork(module, { execArgv: [...process.execArgv, ...nodeOptions] });
    let output: Output | undefined;
    child.once("message", (message) => {
      output = message as Output;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (output !== undefined) resolve(output);
      else reject(new Error(`${module.pathname} exited with ${signal ?? `code ${code}`}`));
    });
    child.send(input as object);
  });
}

/** The other side: receives the input, runs the work, sends the result back and exits. */
export function serveOnce<Input, Output>(work: (input: Input) => Promise<Output>): void {
  process.once("message", async (input) => {
    try {
      const output = await work(input as Input);
      process.send?.(output as object, () => process.exit(0));
    } catch (error) {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
      process.exit(1);
    }
  });
}
