import { monitorEventLoopDelay } from "node:perf_hooks";
import { logger } from "./logger.js";

// How often the longest stall is reported, and the histogram's sampling step.
const REPORT_MS = 1000;
const RESOLUTION_MS = 10;

/**
 * At LOG_LEVEL=debug (or trace), logs every second the longest delay of the event loop in that
 * second ("event loop delay", maxMs): what a slash command waiting to be acknowledged would have
 * waited at worst. Tests read it to check that no work with documents stalls the bot.
 */
export function watchEventLoop(): void {
  if (!logger.isLevelEnabled("debug")) return;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  setInterval(() => {
    logger.debug({ maxMs: Math.round(histogram.max / 1e6) }, "event loop delay");
    histogram.reset();
  }, REPORT_MS).unref();
}
