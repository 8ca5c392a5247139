// Issue 4: a Python tool that makes 100 ctx.call_tool calls to a TypeScript tool of the same runtime (py_call_many
// calling `add`), against `add` called directly over Connect and the bare Node-Python pipe, in the same run.
import { formatMetric } from "../lib/checks.mjs";
import { comparisonRow } from "../lib/compare.mjs";
import { echoRequest, requestSpec } from "../lib/requests.mjs";
import { quantileSorted } from "../lib/stats.mjs";

const CALLS = 100;
const addArgs = { a: 1, b: 2 };
const nestedRequest = requestSpec({
  method: "ExecuteTool",
  message: { tool: "py_call_many", args: { tool: "add", n: CALLS, args: addArgs } },
});
const directRequest = requestSpec({ method: "ExecuteTool", message: { tool: "add", args: addArgs } });

/** p50 of the outer call divided by the calls it makes: the time per nested call, under `maxMs`. */
function perNestedCallBelow(text, maxMs) {
  return {
    evaluate(results) {
      const subject = results[0].stats ? results[0] : undefined;
      if (!subject) return { text, value: null, pass: null, detail: "not measured", figure: "-", baseline: "-" };
      const value = subject.stats.p50 / CALLS;
      const direct = results.find((r) => r.target === "runtime-bridge" && r !== subject && r.stats);
      return {
        text,
        value,
        pass: value < maxMs,
        detail: `${(value * 1000).toFixed(0)} us (need < ${maxMs * 1000} us)`,
        figure: `${(value * 1000).toFixed(0)} us per nested call (outer p50 / ${CALLS})`,
        baseline: direct ? `${direct.label}: ${formatMetric(direct.stats, "p50")}` : "-",
      };
    },
  };
}

// Before measuring (and as a warm-up): the tool's own timing of each nested call, from inside Python.
async function inToolTimes(ctx) {
  const target = await ctx.targets.get("runtime-bridge");
  if (target.unavailable) return { notes: [] };
  const samples = [];
  for (let i = 0; i < 30; i++) {
    const response = await fetch(`${target.url}/toolbridge.v1.ToolService/ExecuteTool`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${target.key}` },
      body: JSON.stringify(nestedRequest.message),
    });
    if (!response.ok) throw new Error(`py_call_many failed: ${response.status} ${await response.text()}`);
    samples.push(...(await response.json()).result.us);
  }
  samples.sort((a, b) => a - b);
  const p = (q) => quantileSorted(samples, q).toFixed(0);
  return {
    notes: [
      `per nested call, timed inside the Python tool around ctx.call_tool: p50 ${p(0.5)} us, p99 ${p(0.99)} us (${samples.length} calls)`,
      `per nested call from the row: the subject's p50 / ${CALLS} (each outer call also pays one Connect round trip)`,
    ],
  };
}

/** The nested-call row at concurrency 1. */
export function nestedRows() {
  return [
    comparisonRow({
      id: "nested/python-to-typescript/c1",
      issue: 4,
      section: `nested calls: a Python tool calls a TypeScript tool of its runtime ${CALLS} times, concurrency 1`,
      title: `py_call_many(add, n=${CALLS}), Connect h2c`,
      client: "connect-h2c",
      request: nestedRequest,
      concurrency: 1,
      subject: "runtime-bridge",
      baselines: [
        { target: "runtime-bridge", request: directRequest, label: "add called directly (one RPC)" },
        { target: "pipe", client: "pipe", request: echoRequest, label: "bare Node-Python pipe round trip" },
      ],
      prepare: inToolTimes,
      checks: [perNestedCallBelow(`nested call Python -> TypeScript (same runtime) p50 < 0.5 ms`, 0.5)],
    }),
  ];
}
