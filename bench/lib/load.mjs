// A closed-loop load generator: N callers, each starting its next call when the previous one ends.
import { performance } from "node:perf_hooks";
import { summarizeRun } from "./stats.mjs";

/**
 * Runs `call` from `concurrency` callers for `warmupMs` (discarded) and then `durationMs` (measured).
 *
 * Options:
 * - call: () => Promise<unknown>, one request; a rejection counts as an error.
 * - concurrency: callers in flight at once.
 * - warmupMs: time before the measured window; calls that start in it are not counted.
 * - durationMs: the measured window; calls that start in it are counted when they end, even after it.
 * - maxErrors: stop early after this many errors (the run is then reported with `aborted`).
 *
 * Returns the run's summary (see stats.summarizeRun), allCalls (warm-up included) and the first error's message.
 */
export async function runClosedLoop({ call, concurrency, warmupMs, durationMs, maxErrors = 100 }) {
  const latencies = [];
  let errors = 0;
  let calls = 0;
  let allCalls = 0; // warm-up included, to divide CPU time measured over the whole run
  let firstError;
  let aborted = false;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const measureUntil = measureFrom + durationMs;
  let lastEnd = measureFrom;

  async function caller() {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= measureUntil || aborted) return;
      let failed = false;
      try {
        await call();
      } catch (e) {
        failed = true;
        firstError ??= e instanceof Error ? e.message : String(e);
        if (++errors >= maxErrors) aborted = true;
      }
      const t1 = performance.now();
      allCalls++;
      if (t0 >= measureFrom) {
        if (!failed) {
          latencies.push(t1 - t0);
          calls++;
        }
        if (t1 > lastEnd) lastEnd = t1;
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, caller));
  // Callers that started before the end finish after it; the window stretches to the last of them.
  const elapsedMs = Math.max(lastEnd, measureUntil) - measureFrom;
  return { ...summarizeRun({ latencies, calls, errors, elapsedMs }), allCalls, firstError, aborted };
}
