// `node bench/profile.mjs [--target runtime|gateway|connect-echo|grpc-js-echo|runtime-bridge]... [--client grpc]`:
// CPU-profiles a server under load and prints where its time goes. `--target gateway --variable set|get` loads it
// with the variable rows' SetVariable / GetVariable instead of a tool call.
// The load generator runs in its own process; the server runs under `node --cpu-prof` and exits cleanly so V8
// writes the profile. Findings are written up in bench/PROFILE.md.
import { parseArgs } from "node:util";
import { startLoadProcess } from "./lib/load-process.mjs";
import { installCleanup, stopAll } from "./lib/processes.mjs";
import { profileTarget } from "./lib/profile-target.mjs";
import { bytesRequest, echoRequest, MIB } from "./lib/requests.mjs";
import { variableRequest } from "./rows/variables.mjs";

const { values } = parseArgs({
  options: {
    target: { type: "string", multiple: true, default: ["connect-echo", "grpc-js-echo"] },
    client: { type: "string", default: "grpc" },
    concurrency: { type: "string", default: "32" },
    duration: { type: "string", default: "5" },
    top: { type: "string", default: "25" },
    bytes: { type: "string" }, // MiB: profile an echo_bytes round trip of this size instead of echo
    variable: { type: "string" }, // set | get: profile the gateway's SetVariable / GetVariable (as rows/variables.mjs)
  },
});

const ms = (v) => v.toFixed(0).padStart(7);
const pct = (v, all) => `${((100 * v) / all).toFixed(1).padStart(5)}%`;

function printProfile(target, { run, path, profile }) {
  const top = Number(values.top);
  const busy = profile.busyMs;
  console.log(`\n### ${target}: ${run.callsPerSecond.toFixed(0)} calls/s, p50 ${run.p50.toFixed(2)} ms (${values.client} client, c${values.concurrency})`);
  console.log(`profile ${path}: ${ms(profile.totalMs)} ms sampled, ${ms(busy)} ms busy, ${(busy * 1000 / (run.calls || 1)).toFixed(1)} us busy per measured call (incl. warm-up share)`);
  console.log("\nself time by package (% of busy):");
  for (const p of profile.byPackage.slice(0, 15)) console.log(`  ${ms(p.selfMs)} ms ${pct(p.selfMs, busy)}  ${p.key}`);
  console.log("\nself time by file:");
  for (const f of profile.byFile.slice(0, top)) console.log(`  ${ms(f.selfMs)} ms ${pct(f.selfMs, busy)}  ${f.key}`);
  console.log("\nself time by function (self, inclusive):");
  for (const f of profile.byFunction.slice(0, top)) console.log(`  ${ms(f.selfMs)} ms ${pct(f.selfMs, busy)} ${pct(f.totalMs, busy)}  ${f.key}`);
  console.log("\ninclusive time by function:");
  for (const f of profile.byInclusive.slice(0, top)) console.log(`  ${ms(f.totalMs)} ms ${pct(f.totalMs, busy)}  ${f.key}`);
}

installCleanup();
const load = startLoadProcess();
try {
  for (const target of values.target) {
    const result = await profileTarget({
      load,
      target,
      client: values.client,
      request: values.variable ? (server) => variableRequest(values.variable, server) : values.bytes ? bytesRequest(Number(values.bytes) * MIB) : echoRequest,
      concurrency: Number(values.concurrency),
      warmupMs: 1000,
      durationMs: Number(values.duration) * 1000,
      maxMessageBytes: 12 * MIB,
    });
    printProfile(target, result);
  }
} finally {
  await load.close();
  await stopAll();
}
