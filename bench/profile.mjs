// `node bench/profile.mjs [--target connect-echo|connect-echo-fast|grpc-js-echo|runtime|runtime-fast]... [--client grpc]`:
// CPU-profiles a server under load and prints where its time goes.
// The load generator runs in its own process; the server runs under `node --cpu-prof` and exits cleanly so V8
// writes the profile. Findings are written up in bench/PROFILE.md.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { aggregateProfile } from "./lib/cpuprofile.mjs";
import { startLoadProcess } from "./lib/load-process.mjs";
import { installCleanup, stopAll } from "./lib/processes.mjs";
import { bytesRequest, echoRequest, MIB } from "./lib/requests.mjs";
import { startRuntime } from "./lib/runtime.mjs";
import { startBaseline } from "./lib/targets.mjs";

const { values } = parseArgs({
  options: {
    target: { type: "string", multiple: true, default: ["connect-echo", "grpc-js-echo"] },
    client: { type: "string", default: "grpc" },
    concurrency: { type: "string", default: "32" },
    duration: { type: "string", default: "5" },
    top: { type: "string", default: "25" },
    bytes: { type: "string" }, // MiB: profile an echo_bytes round trip of this size instead of echo

  },
});

const ms = (v) => v.toFixed(0).padStart(7);
const pct = (v, all) => `${((100 * v) / all).toFixed(1).padStart(5)}%`;

async function profileTarget(load, target) {
  const dir = mkdtempSync(join(tmpdir(), `bench-prof-${target}-`));
  const execArgv = ["--cpu-prof", "--cpu-prof-dir", dir];
  const fastPath = ["--import", fileURLToPath(new URL("./fast-path/register.mjs", import.meta.url))];
  const server =
    target === "runtime" || target === "runtime-fast"
      ? await startRuntime({ maxMessageBytes: 12 * MIB, execArgv: target === "runtime" ? execArgv : [...fastPath, ...execArgv] })
      : await startBaseline(target, { execArgv, env: { BENCH_MAX_MESSAGE_BYTES: String(12 * MIB) } });
  const run = await load.run({
    client: values.client,
    url: server.url,
    key: server.key,
    request: values.bytes ? bytesRequest(Number(values.bytes) * MIB) : echoRequest,
    concurrency: Number(values.concurrency),
    warmupMs: 1000,
    durationMs: Number(values.duration) * 1000,
    maxMessageBytes: 12 * MIB,
  });
  await server.handle.stop();
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`${target} wrote no profile to ${dir} (it must exit through process.exit, not a signal)`);
  return { run, path: join(dir, file), profile: aggregateProfile(join(dir, file)) };
}

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
  for (const target of values.target) printProfile(target, await profileTarget(load, target));
} finally {
  await load.close();
  await stopAll();
}
