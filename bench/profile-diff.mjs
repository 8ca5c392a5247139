// `node bench/profile-diff.mjs [--client connect-h2c] [--a runtime] [--b connect-echo]`: CPU-profiles two servers
// under the same load, one after the other, and prints where A spends more main-thread time per call than B
// (by package, by function inclusive and self), e.g. what the runtime adds to a bare connect-node server, or
// (--a gateway --b runtime) what the gateway's process spends per call against the runtime it forwards to.
import { parseArgs } from "node:util";
import { startLoadProcess } from "./lib/load-process.mjs";
import { installCleanup, stopAll } from "./lib/processes.mjs";
import { profileTarget } from "./lib/profile-target.mjs";
import { echoRequest, MIB } from "./lib/requests.mjs";

const { values } = parseArgs({
  options: {
    client: { type: "string", default: "connect-h2c" },
    a: { type: "string", default: "runtime" },
    b: { type: "string", default: "connect-echo" },
    concurrency: { type: "string", default: "32" },
    duration: { type: "string", default: "5" },
  },
});

installCleanup();
const load = startLoadProcess();
const { client, a: A, b: B } = values;
const res = {};
try {
  for (const target of [A, B]) {
    const { run, profile } = await profileTarget({
      load, target, client, request: echoRequest, concurrency: Number(values.concurrency),
      warmupMs: 1000, durationMs: Number(values.duration) * 1000, maxMessageBytes: 12 * MIB,
    });
    res[target] = { p: profile, calls: run.allCalls };
    console.log(target, run.callsPerSecond.toFixed(0), "calls/s;", ((profile.busyMs * 1000) / run.allCalls).toFixed(0), "us busy/call");
  }
  const per = (t, list, key) => new Map(list.map((x) => [x.key, (x[key] * 1000) / res[t].calls]));
  for (const [label, list, key] of [["by package", "byPackage", "selfMs"], ["by function (inclusive)", "byInclusive", "totalMs"], ["by function (self)", "byFunction", "selfMs"]]) {
    const a = per(A, res[A].p[list], key);
    const b = per(B, res[B].p[list], key);
    const diff = [...new Set([...a.keys(), ...b.keys()])].map((k) => [k, (a.get(k) ?? 0) - (b.get(k) ?? 0), a.get(k) ?? 0, b.get(k) ?? 0]).sort((x, y) => y[1] - x[1]);
    console.log(`\n${label}: us/call ${A}, ${B}, difference`);
    for (const [k, d, x, y] of diff.slice(0, 22)) console.log(`${x.toFixed(1).padStart(7)} ${y.toFixed(1).padStart(7)} ${d.toFixed(1).padStart(7)}  ${k}`);
  }
} finally {
  await load.close();
  await stopAll();
}
