// Runs one target under `node --cpu-prof` with load from the load generator, stops it (so V8 writes the profile) and
// aggregates the profile: the common part of profile.mjs and profile-diff.mjs.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregateProfile } from "./cpuprofile.mjs";
import { createTargets } from "./targets.mjs";

/** Targets that are Node processes of their own, so they can be profiled. */
export const PROFILABLE = ["runtime", "runtime-bridge", "gateway", "connect-echo", "grpc-js-echo"];

/**
 * Profiles `target` under a closed loop of `client` calls sending `request`.
 *
 * Options: load (the load generator), target, client, request (or a function of the started target that resolves
 * to one), concurrency, warmupMs, durationMs, maxMessageBytes. Resolves with { run, path, profile } (see cpuprofile.aggregateProfile).
 */
export async function profileTarget({ load, target, client, request, concurrency, warmupMs, durationMs, maxMessageBytes }) {
  if (!PROFILABLE.includes(target)) throw new Error(`cannot profile ${target}; one of ${PROFILABLE.join(", ")}`);
  const dir = mkdtempSync(join(tmpdir(), `bench-prof-${target}-`));
  const targets = createTargets({ runtime: { maxMessageBytes }, maxMessageBytes, execArgv: ["--cpu-prof", "--cpu-prof-dir", dir] });
  try {
    const server = await targets.get(target);
    if (server.unavailable) throw new Error(`${target} did not start: ${server.unavailable}`);
    const spec = typeof request === "function" ? await request(server) : request;
    const run = await load.run({ client, url: server.url, key: server.key, request: spec, concurrency, warmupMs, durationMs, maxMessageBytes });
    await targets.stopAll();
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`${target} wrote no profile to ${dir} (it must exit through process.exit, not a signal)`);
    return { run, path: join(dir, file), profile: aggregateProfile(join(dir, file)) };
  } finally {
    await targets.stopAll();
  }
}
