// The issues' targets, evaluated on a row's figures. Each yields { text, value, pass, detail, figure, baseline }:
// pass null when not measured; figure and baseline are short texts for the summary table (the subject's figure, and
// the same-run baseline it is judged against or shown next to).

function entry(results, target) {
  return results.find((r) => r.target === target && r.stats);
}

function subjectOf(results) {
  return results[0].stats ? results[0] : undefined;
}

const notMeasured = (text) => ({ text, value: null, pass: null, detail: "not measured", figure: "-", baseline: "-" });

/** A figure as the table shows it: "1234 calls/s", "p50 0.84 ms". */
export function formatMetric(stats, metric) {
  const v = stats[metric];
  if (metric === "callsPerSecond") return `${v.toFixed(0)} calls/s`;
  return `${metric} ${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
}

/** "label figure" for each of `targets` measured in the row; "-" when none is. */
function baselinesText(results, targets, metric) {
  const texts = targets.flatMap((t) => {
    const r = entry(results, t);
    return r ? [`${r.label}: ${formatMetric(r.stats, metric)}`] : [];
  });
  return texts.length > 0 ? texts.join("; ") : "-";
}

/**
 * Subject calls/s at least `min` times the baseline's, e.g. ratioAtLeast("...", "grpc-js-echo", 0.8).
 * `subjectTarget` names another entry of the row to test instead of the row's subject.
 */
export function ratioAtLeast(text, baseline, min, subjectTarget) {
  return {
    evaluate(results) {
      const subject = subjectTarget ? entry(results, subjectTarget) : subjectOf(results);
      const base = entry(results, baseline);
      if (!subject || !base) return notMeasured(text);
      const value = subject.stats.callsPerSecond / base.stats.callsPerSecond;
      return {
        text,
        value,
        pass: value >= min,
        detail: `${value.toFixed(2)} (need >= ${min})`,
        figure: `${formatMetric(subject.stats, "callsPerSecond")} = ${value.toFixed(2)}x`,
        baseline: baselinesText(results, [baseline], "callsPerSecond"),
      };
    },
  };
}

/**
 * The subject's `metric` (e.g. "p50", in ms) below `max`.
 * Options: unit (for the detail, default "ms"); baselines: targets of the row shown next to it in the table.
 */
export function metricBelow(text, metric, max, { unit = "ms", baselines = [] } = {}) {
  return {
    evaluate(results) {
      const subject = subjectOf(results);
      if (!subject) return notMeasured(text);
      const value = subject.stats[metric];
      return {
        text,
        value,
        pass: value < max,
        detail: `${value.toFixed(2)} ${unit} (need < ${max} ${unit})`,
        figure: formatMetric(subject.stats, metric),
        baseline: baselinesText(results, baselines, metric),
      };
    },
  };
}

/** The subject's `metric` at least `min` (e.g. calls/s); options as for metricBelow. */
export function metricAtLeast(text, metric, min, { unit = "", baselines = [] } = {}) {
  return {
    evaluate(results) {
      const subject = subjectOf(results);
      if (!subject) return notMeasured(text);
      const value = subject.stats[metric];
      return {
        text,
        value,
        pass: value >= min,
        detail: `${value.toFixed(1)}${unit} (need >= ${min}${unit})`,
        figure: formatMetric(subject.stats, metric),
        baseline: baselinesText(results, baselines, metric),
      };
    },
  };
}

/** A plain figure against a limit, for rows that are not comparisons (memory). */
export function figureBelow(text, value, max, unit) {
  if (!Number.isFinite(value)) return notMeasured(text);
  const shown = `${value.toFixed(1)} ${unit}`;
  return { text, value, pass: value < max, detail: `${shown} (need < ${max} ${unit})`, figure: shown, baseline: "-" };
}

/** The subject's p50 at most `maxMs` above the baseline's (e.g. the gateway's added latency). */
export function p50AddedBelow(text, baseline, maxMs) {
  return {
    evaluate(results) {
      const subject = subjectOf(results);
      const base = entry(results, baseline);
      if (!subject || !base) return notMeasured(text);
      const value = subject.stats.p50 - base.stats.p50;
      const sign = value >= 0 ? "+" : "";
      return {
        text,
        value,
        pass: value < maxMs,
        detail: `${sign}${value.toFixed(2)} ms (need < ${maxMs} ms)`,
        figure: `${formatMetric(subject.stats, "p50")} = ${sign}${value.toFixed(2)} ms`,
        baseline: baselinesText(results, [baseline], "p50"),
      };
    },
  };
}
