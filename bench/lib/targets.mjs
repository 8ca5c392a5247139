// The servers a row can measure, by name, each started once (lazily) in its own process and stopped at the end.
import { fileURLToPath } from "node:url";
import { startGateway, startGatewayStack } from "./gateway.mjs";
import { spawnTracked } from "./processes.mjs";
import { startRuntime } from "./runtime.mjs";

/** What each target is, for the report. */
export const TARGET_LABELS = {
  runtime: "runtime (Python echo)",
  "runtime-bridge": "runtime with the bridge's tools",
  gateway: "gateway (redis store) -> runtime",
  "gateway-runtime": "the same runtime, called directly",
  "gateway-memory": "gateway (memory store)",
  redis: "bare Redis round trip (node-redis)",
  "connect-echo": "bare connect-node",
  "grpc-js-echo": "bare grpc-js",
  pipe: "bare Node-Python pipe",
  worker: "one toolbridge worker, no HTTP",
};

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
 * - maxMessageBytes: the baselines' and gateways' message limit (BENCH_MAX_MESSAGE_BYTES, TOOLBRIDGE_MAX_MESSAGE_BYTES).
 * - execArgv: node flags for every server target (e.g. --cpu-prof for profile.mjs).
 * - extra: more targets, name -> (get) => Promise<{url, key?, pid, handle?, helperPids?}>.
 *
 * get(name) resolves with { url, key, pid, helperPids? } or { unavailable: reason }; a target that fails to start
 * is reported unavailable once and its rows go on with the other targets. helperPids: processes behind the
 * server (a gateway's Redis and runtime) whose CPU time counts with the server's children.
 */
export function createTargets({ runtime = {}, maxMessageBytes, execArgv = [], extra = {} }) {
  const env = { BENCH_MAX_MESSAGE_BYTES: String(maxMessageBytes) };
  const runtimeOptions = { ...runtime, execArgv };
  const starters = {
    runtime: () => startRuntime(runtimeOptions),
    // Another runtime for the nested-call rows (issue 4): its own process, so the echo rows' runtime stays as it was.
    "runtime-bridge": () => startRuntime({ ...runtimeOptions, extraArgs: [...(runtime.extraArgs ?? []), ...BRIDGE_ARGS] }),
    // Issue 3: redis-server, the gateway on it, and a runtime registered with the gateway (its own process too).
    gateway: () => startGatewayStack({ runtime, maxMessageBytes, execArgv }),
    "gateway-runtime": async (get) => onlyIfStarted(await get("gateway"), (g) => g.runtime),
    redis: async (get) => onlyIfStarted(await get("gateway"), (g) => g.redis),
    "gateway-memory": () => startGateway({ maxMessageBytes, execArgv }),
    "connect-echo": () => startBaseline("connect-echo", { env, execArgv }),
    "grpc-js-echo": () => startBaseline("grpc-js-echo", { env, execArgv }),
    // The load generator spawns these Python processes itself.
    pipe: async () => ({ url: undefined, pid: undefined }),
    worker: async () => ({ url: undefined, pid: undefined }),
    ...extra,
  };
  const started = new Map();
  const get = (name) => {
    if (!started.has(name)) {
      const starter = starters[name];
      const promise = starter
        ? starter(get).catch((e) => ({ unavailable: e instanceof Error ? e.message : String(e) }))
        : Promise.resolve({ unavailable: `unknown target ${name}` });
      started.set(name, promise);
    }
    return started.get(name);
  };
  return {
    get,
    /** Targets started so far, by name (settled promises only). */
    async startedTargets() {
      return Object.fromEntries(await Promise.all([...started].map(async ([n, p]) => [n, await p])));
    },
    async stopAll() {
      await Promise.all([...started.values()].map(async (p) => (await p).handle?.stop()));
    },
  };
}

// A part of another target (the gateway's runtime, its Redis): unavailable when that target is; no handle of its
// own, since stopping the other target stops it.
function onlyIfStarted(parent, part) {
  return parent.unavailable ? { unavailable: parent.unavailable } : part(parent);
}
