// `node bench/profile-diff.mjs [--client connect-h2c] [--a runtime] [--b connect-echo]`: CPU-profiles two servers
// under the same load, one after the other, and prints where A spends more main-thread time per call than B
// (by package, by function inclusive and self), e.g. what the runtime adds to a bare connect-node server.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { aggregateProfile } from "./lib/cpuprofile.mjs";
import { startLoadProcess } from "./lib/load-process.mjs";
import { installCleanup, stopAll } from "./lib/processes.mjs";
import { echoRequest, MIB } from "./lib/requests.mjs";
import { startRuntime } from "./lib/runtime.mjs";
import { startBaseline } from "./lib/targets.mjs";
const { values } = parseArgs({
  options: {
    client: { type: "string", default: "connect-h2c" },
    a: { type: "string", default: "runtime" },
    b: { type: "string", default: "connect-echo" },
    concurrency: { type: "string", default: "32" },
    duration: { type: "string", default: "5" },
  },
});
const FAST_PATH = ["--import", fileURLToPath(new URL("./fast-path/register.mjs", import.meta.url))];

installCleanup();
const load = startLoadProcess();
const { client, a: A, b: B } = values;
const res = {};
for (const target of [A, B]) {
  const dir = mkdtempSync(join(tmpdir(), "bench-diff-"));
  const execArgv = ["--cpu-prof", "--cpu-prof-dir", dir];
  const server = target.startsWith("runtime")
    ? await startRuntime({ maxMessageBytes: 12 * MIB, execArgv: target === "runtime-fast" ? [...FAST_PATH, ...execArgv] : execArgv })
    : await startBaseline(target, { execArgv });
  const run = await load.run({
    client, url: server.url, key: server.key, request: echoRequest, concurrency: Number(values.concurrency),
    warmupMs: 1000, durationMs: Number(values.duration) * 1000, maxMessageBytes: 12 * MIB,
  });
  await server.handle.stop();
  const p = aggregateProfile(join(dir, readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))));
  res[target] = { p, calls: run.allCalls };
  console.log(target, run.callsPerSecond.toFixed(0), "calls/s;", (p.busyMs * 1000 / run.allCalls).toFixed(0), "us busy/call");
}
const per = (t, list, key) => new Map(list.map((x) => [x.key, (x[key] * 1000) / res[t].calls]));
for (const [label, list, key] of [["by package", "byPackage", "selfMs"], ["by function (inclusive)", "byInclusive", "totalMs"], ["by function (self)", "byFunction", "selfMs"]]) {
  const a = per(A, res[A].p[list], key);
  const b = per(B, res[B].p[list], key);
  const diff = [...new Set([...a.keys(), ...b.keys()])].map((k) => [k, (a.get(k) ?? 0) - (b.get(k) ?? 0), a.get(k) ?? 0, b.get(k) ?? 0]).sort((x, y) => y[1] - x[1]);
  console.log(`\n${label}: us/call ${A}, ${B}, difference`);
  for (const [k, d, x, y] of diff.slice(0, 22)) console.log(`${x.toFixed(1).padStart(7)} ${y.toFixed(1).padStart(7)} ${d.toFixed(1).padStart(7)}  ${k}`);
}
await load.close();
await stopAll();
