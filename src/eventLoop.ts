import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { logger } from "./logger.js";

// How often the longest stall is reported, and the histogram's sampling step.
const REPORT_MS = 1000;
const RESOLUTION_MS = 10;
// Linux counts a thread's CPU time in ticks of 1/100 s (USER_HZ).
const TICK_MS = 10;

/**
 * CPU milliseconds this process's main thread has used (Linux: its thread id is the process id),
 * or undefined elsewhere. A stall with little CPU of its own was the machine's: the thread waited
 * for a core.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/**
 * At LOG_LEVEL=debug (or trace), logs every second the longest delay of the event loop in that
 * second ("event loop delay", maxMs: what a slash command waiting to be acknowledged would have
 * waited at worst) and, on Linux, the CPU time the main thread used in it (cpuMs). Tests read it
 * to check that no work with documents stalls the bot.
 */
export function watchEventLoop(): void {
  if (!logger.isLevelEnabled("debug")) return;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let cpu = mainThreadCpuMs();
  setInterval(() => {
    const now = mainThreadCpuMs();
    const cpuMs = now !== undefined && cpu !== undefined ? now - cpu : undefined;
    cpu = now;
    logger.debug({ maxMs: Math.round(histogram.max / 1e6), cpuMs }, "event loop delay");
    histogram.reset();
  }, REPORT_MS).unref();
}
