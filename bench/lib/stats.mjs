// Summary statistics for latency samples and for repeated runs.

/** The q-quantile (0..1) of ascending-sorted numbers, nearest-rank; NaN when empty. */
export function quantileSorted(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** The median of numbers in any order; NaN when empty. */
export function median(values) {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

/** Summarizes latencies (ms) of one run: count, calls/s over the measured window, p50, p90, p99, max, mean. */
export function summarizeRun({ latencies, calls, errors, elapsedMs }) {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    calls,
    errors,
    elapsedMs,
    callsPerSecond: elapsedMs > 0 ? (calls * 1000) / elapsedMs : 0,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Combines repeated runs of one target: the median of each figure, plus every run's calls/s for the record. */
export function combineRuns(runs) {
  const pick = (key) => median(runs.map((r) => r[key]));
  return {
    runs: runs.length,
    callsPerSecond: pick("callsPerSecond"),
    p50: pick("p50"),
    p90: pick("p90"),
    p99: pick("p99"),
    mean: pick("mean"),
    serverCpuUs: pick("serverCpuUs"),
    serverChildrenCpuUs: pick("serverChildrenCpuUs"),
    clientCpuUs: pick("clientCpuUs"),
    calls: runs.reduce((n, r) => n + r.calls, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    perRunCallsPerSecond: runs.map((r) => r.callsPerSecond),
  };
}
