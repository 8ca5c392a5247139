// Starts the gateway (gateway/dist/src/main.js) on a free port, and the stack the gateway rows measure: a real
// redis-server, the gateway on the Redis-protocol store, and a runtime that registers itself with it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnTracked } from "./processes.mjs";
import { startRedisServer } from "./redis-server.mjs";
import { randomKey, startRuntime } from "./runtime.mjs";

/** The gateway's entry point, built by `tsc -b`. */
export const GATEWAY_MAIN = fileURLToPath(new URL("../../gateway/dist/src/main.js", import.meta.url));

/** The start-up line: `toolbridge gateway listening on http://127.0.0.1:8080 (h1+h2c) with the redis store`. */
const LISTENING = /toolbridge gateway listening on (https?:\/\/\S+)/;

/**
 * Starts a gateway with one API key of org "bench" allowed every tool.
 *
 * Options:
 * - redisUrl: keep state in this Redis (TOOLBRIDGE_REDIS_URL); without it, the memory store.
 * - runtimeKey: the runtime credential (TOOLBRIDGE_RUNTIME_KEY) runtimes register and are called with.
 * - maxMessageBytes: TOOLBRIDGE_MAX_MESSAGE_BYTES.
 * - execArgv: flags for node itself (e.g. --cpu-prof).
 *
 * Resolves with { url, key (the API key), pid, handle, store, env }; rejects with its output when it does not start.
 */
export async function startGateway({ redisUrl, runtimeKey = randomKey(), maxMessageBytes, execArgv = [] }) {
  if (!existsSync(GATEWAY_MAIN)) throw new Error(`gateway is not built yet (${GATEWAY_MAIN} is missing)`);
  const key = randomKey();
  const env = {
    TOOLBRIDGE_GATEWAY_HOST: "127.0.0.1",
    TOOLBRIDGE_GATEWAY_PORT: "0",
    TOOLBRIDGE_RUNTIME_KEY: runtimeKey,
    TOOLBRIDGE_API_KEYS: `${key}=bench`,
    TOOLBRIDGE_LOG_LEVEL: "info",
    ...(redisUrl ? { TOOLBRIDGE_REDIS_URL: redisUrl } : {}),
    ...(maxMessageBytes ? { TOOLBRIDGE_MAX_MESSAGE_BYTES: String(maxMessageBytes) } : {}),
  };
  const handle = spawnTracked("gateway", process.execPath, [GATEWAY_MAIN], { env, execArgv });
  try {
    const [, url] = await handle.waitForLine(LISTENING, 30_000);
    const shown = Object.entries(env).map(([name, value]) => `${name}=${value === key || value === runtimeKey ? "<key>" : value}`);
    return { url, key, runtimeKey, pid: handle.child.pid, handle, store: redisUrl ? "redis" : "memory", env: shown };
  } catch (e) {
    await handle.stop();
    throw e;
  }
}

/**
 * redis-server, a gateway on it and a runtime registered with the gateway (`--gateway-url`, the shared runtime
 * key as its `--key`). Stopped runtime first, Redis last.
 *
 * Options:
 * - runtime: options for startRuntime (workers, maxMessageBytes, python).
 * - maxMessageBytes: the gateway's message limit.
 * - execArgv: node flags for the gateway (e.g. --cpu-prof).
 *
 * Resolves with the gateway's { url, key, pid, handle, env } plus `redis` and `runtime` ({ url, key, pid }), and
 * `helperPids`: the processes behind the gateway, whose CPU time a row adds to the gateway's.
 */
export async function startGatewayStack({ runtime: runtimeOptions = {}, maxMessageBytes, execArgv } = {}) {
  const started = [];
  try {
    const redis = await startRedisServer();
    started.push(redis);
    const gateway = await startGateway({ redisUrl: redis.url, maxMessageBytes, execArgv });
    started.push(gateway);
    const runtime = await startRuntime({ ...runtimeOptions, key: gateway.runtimeKey, gatewayUrl: gateway.url });
    started.push(runtime);
    const stop = async () => {
      for (const part of [...started].reverse()) await part.handle.stop();
    };
    return {
      ...gateway,
      handle: { ...gateway.handle, stop },
      redis: { url: redis.url, pid: redis.pid },
      runtime: { url: runtime.url, key: runtime.key, pid: runtime.pid, args: runtime.args },
      helperPids: [redis.pid, runtime.pid],
    };
  } catch (e) {
    for (const part of started.reverse()) await part.handle.stop();
    throw e;
  }
}
