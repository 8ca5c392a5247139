// The issues' targets, evaluated on a row's figures: each yields { text, value, pass } (pass null: not measured).

function entry(results, target) {
  return results.find((r) => r.target === target && r.stats);
}

/**
 * Subject calls/s at least `min` times the baseline's, e.g. ratioAtLeast("...", "grpc-js-echo", 0.8).
 * `subject` names another entry of the row to test instead of the row's subject.
 */
export function ratioAtLeast(text, baseline, min, subjectTarget) {
  return {
    evaluate(results) {
      const subject = subjectTarget ? entry(results, subjectTarget) : results[0].stats ? results[0] : undefined;
      const base = entry(results, baseline);
      if (!subject || !base) return { text, value: null, pass: null, detail: "not measured" };
      const value = subject.stats.callsPerSecond / base.stats.callsPerSecond;
      return { text, value, pass: value >= min, detail: `${value.toFixed(2)} (need >= ${min})` };
    },
  };
}

/** The subject's `metric` (e.g. "p50", in ms) below `max`. */
export function metricBelow(text, metric, max, unit = "ms") {
  return {
    evaluate(results) {
      const subject = results[0].stats ? results[0] : undefined;
      if (!subject) return { text, value: null, pass: null, detail: "not measured" };
      const value = subject.stats[metric];
      return { text, value, pass: value < max, detail: `${value.toFixed(2)} ${unit} (need < ${max} ${unit})` };
    },
  };
}

/** The subject's `metric` at least `min` (e.g. calls/s). */
export function metricAtLeast(text, metric, min, unit = "") {
  return {
    evaluate(results) {
      const subject = results[0].stats ? results[0] : undefined;
      if (!subject) return { text, value: null, pass: null, detail: "not measured" };
      const value = subject.stats[metric];
      return { text, value, pass: value >= min, detail: `${value.toFixed(1)}${unit} (need >= ${min}${unit})` };
    },
  };
}

/** A plain figure against a limit, for rows that are not comparisons (memory). */
export function figureBelow(text, value, max, unit) {
  if (!Number.isFinite(value)) return { text, value: null, pass: null, detail: "not measured" };
  return { text, value, pass: value < max, detail: `${value.toFixed(1)} ${unit} (need < ${max} ${unit})` };
}

/** The subject's p50 at most `maxMs` above the baseline's (e.g. the gateway's added latency). */
export function p50AddedBelow(text, baseline, maxMs) {
  return {
    evaluate(results) {
      const subject = results[0].stats ? results[0] : undefined;
      const base = entry(results, baseline);
      if (!subject || !base) return { text, value: null, pass: null, detail: "not measured" };
      const value = subject.stats.p50 - base.stats.p50;
      return { text, value, pass: value < maxMs, detail: `+${value.toFixed(2)} ms (need < ${maxMs} ms)` };
    },
  };
}
