import { SingleBar } from "cli-progress";

export interface Phase {
  update(done: number, total?: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr for a long phase; where stderr is not a terminal, one line when the
 * phase starts and one when it ends. stdout stays free for the table or the JSON.
 */
export function phase(name: string, total: number): Phase {
  const started = performance.now();
  if (!process.stderr.isTTY) {
    process.stderr.write(`${name}...\n`);
    return {
      update() {},
      stop() {
        process.stderr.write(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      },
    };
  }
  const bar = new SingleBar({
    format: `${name.padEnd(34)} [{bar}] {value}/{total} {duration_formatted}`,
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(total, 0);
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
