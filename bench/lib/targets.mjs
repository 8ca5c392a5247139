// The servers a row can measure, by name, each started once (lazily) in its own process and stopped at the end.
import { fileURLToPath } from "node:url";
import { spawnTracked } from "./processes.mjs";
import { startRuntime } from "./runtime.mjs";

/** What each target is, for the report. */
export const TARGET_LABELS = {
  runtime: "runtime (Python echo)",
  "runtime-bridge": "runtime with the bridge's tools",
  "runtime-fast": "runtime + gRPC fast path (bench/fast-path)",
  "connect-echo": "bare connect-node",
  "connect-echo-fast": "bare connect-node + gRPC fast path",
  "connect-echo-fast-request": "bare connect-node + fast path in (req, res)",
  "grpc-js-echo": "bare grpc-js",
  pipe: "bare Node-Python pipe",
  worker: "one toolbridge worker, no HTTP",
};

const FAST_PATH_REGISTER = fileURLToPath(new URL("../fast-path/register.mjs", import.meta.url));

// The examples, a Python tool that calls another tool n times (py_call_many) and the TypeScript examples (add).
const BRIDGE_ARGS = [
  "--module",
  "examples",
  "--module",
  fileURLToPath(new URL("../../python/tests/fixtures/bridge_tools.py", import.meta.url)),
  "--ts-module",
  fileURLToPath(new URL("../../runtime-node/dist/examples/typescript-tools.js", import.meta.url)),
];

const BASELINE_SCRIPTS = {
  "connect-echo": "../baselines/connect-echo.mjs",
  "connect-echo-fast": "../baselines/connect-echo-fast.mjs",
  "grpc-js-echo": "../baselines/grpc-js-echo.mjs",
};

/** Starts one baseline server script as a child process and waits for its `listening on` line. */
export async function startBaseline(name, { execArgv = [], env } = {}) {
  const script = fileURLToPath(new URL(BASELINE_SCRIPTS[name], import.meta.url));
  const handle = spawnTracked(name, process.execPath, [script], { execArgv, env });
  const [, url] = await handle.waitForLine(/listening on (http:\/\/\S+)/, 30_000);
  return { url, pid: handle.child.pid, handle };
}

/**
 * The registry of targets for one bench run.
 *
 * Options:
 * - runtime: options for startRuntime (workers, maxMessageBytes, python).
 * - maxMessageBytes: the baselines' message limit (passed as BENCH_MAX_MESSAGE_BYTES).
 * - extra: more targets, name -> () => Promise<{url, key?, pid, handle?}>, for later rows (e.g. a gateway).
 *
 * get(name) resolves with { url, key, pid } or { unavailable: reason }; a target that fails to start is
 * reported unavailable once and its rows go on with the other targets.
 */
export function createTargets({ runtime, maxMessageBytes, extra = {} }) {
  const env = { BENCH_MAX_MESSAGE_BYTES: String(maxMessageBytes) };
  const starters = {
    runtime: () => startRuntime(runtime),
    // Another runtime for the nested-call rows (issue 4): its own process, so the echo rows' runtime stays as it was.
    "runtime-bridge": () => startRuntime({ ...runtime, extraArgs: [...(runtime.extraArgs ?? []), ...BRIDGE_ARGS] }),
    // The same runtime with bench/fast-path injected through a module hook (runtime-node/ itself unchanged).
    "runtime-fast": () => startRuntime({ ...runtime, execArgv: ["--import", FAST_PATH_REGISTER] }),
    "connect-echo": () => startBaseline("connect-echo", { env }),
    "connect-echo-fast": () => startBaseline("connect-echo-fast", { env }),
    "connect-echo-fast-request": () => startBaseline("connect-echo-fast", { env: { ...env, BENCH_FAST_PATH_MODE: "request" } }),
    "grpc-js-echo": () => startBaseline("grpc-js-echo", { env }),
    // The load generator spawns these Python processes itself.
    pipe: async () => ({ url: undefined, pid: undefined }),
    worker: async () => ({ url: undefined, pid: undefined }),
    ...extra,
  };
  const started = new Map();
  return {
    get(name) {
      if (!started.has(name)) {
        const starter = starters[name];
        const promise = starter
          ? starter().catch((e) => ({ unavailable: e instanceof Error ? e.message : String(e) }))
          : Promise.resolve({ unavailable: `unknown target ${name}` });
        started.set(name, promise);
      }
      return started.get(name);
    },
    /** Targets started so far, by name (settled promises only). */
    async startedTargets() {
      return Object.fromEntries(await Promise.all([...started].map(async ([n, p]) => [n, await p])));
    },
    async stopAll() {
      await Promise.all([...started.values()].map(async (p) => (await p).handle?.stop()));
    },
  };
}
