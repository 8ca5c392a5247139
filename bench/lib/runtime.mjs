// Starts a toolbridge runtime (runtime-node/dist/src/main.js) on a free port with its command-line flags.
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { spawnTracked } from "./processes.mjs";

/** The runtime's entry point, built by `tsc -b`. */
export const RUNTIME_MAIN = fileURLToPath(new URL("../../runtime-node/dist/src/main.js", import.meta.url));

/** The start-up line: `toolbridge runtime listening on http://127.0.0.1:50051 (h1+h2c) with 7 tools: ...`. */
const LISTENING = /toolbridge runtime listening on (https?:\/\/[^\s]+)/;

/** The line a runtime logs once the gateway has it: `registered with the gateway at <url> as <id> (<url>)`. */
const REGISTERED = /registered with the gateway at /;

/** A random key; hex, because a key must not start with "-". */
export function randomKey() {
  return randomBytes(18).toString("hex");
}

/**
 * Starts a runtime on a free port with a key of our own, and waits for its start-up line.
 *
 * Options:
 * - workers: Python worker processes (--workers); undefined keeps the runtime's default.
 * - maxMessageBytes: --max-message-bytes (the 10 MiB round trip needs more than the 10 MiB default).
 * - python: the Python executable (--python).
 * - extraArgs: more flags, for later rows (e.g. --module).
 * - execArgv: flags for node itself (e.g. --cpu-prof).
 * - key: the runtime key (--key); default a random one.
 * - gatewayUrl: register with this gateway (--gateway-url), whose runtime key must be `key`; resolves only once
 *   the runtime says it is registered.
 *
 * Resolves with { url, key, pid, handle, args }; rejects with the runtime's output when it does not start.
 */
export async function startRuntime({ workers, maxMessageBytes, python, extraArgs = [], execArgv = [], key = randomKey(), gatewayUrl }) {
  if (!existsSync(RUNTIME_MAIN)) {
    throw new Error(`runtime-node is not built yet (${RUNTIME_MAIN} is missing)`);
  }
  const args = ["--host", "127.0.0.1", "--port", "0", "--key", key, "--log-level", "info"];
  if (workers !== undefined) args.push("--workers", String(workers));
  if (maxMessageBytes !== undefined) args.push("--max-message-bytes", String(maxMessageBytes));
  if (python !== undefined) args.push("--python", python);
  if (gatewayUrl !== undefined) args.push("--gateway-url", gatewayUrl);
  args.push(...extraArgs);
  const handle = spawnTracked("runtime", process.execPath, [RUNTIME_MAIN, ...args], { execArgv });
  try {
    const [, url] = await handle.waitForLine(LISTENING, 60_000);
    if (gatewayUrl !== undefined) await handle.waitForLine(REGISTERED, 30_000);
    return { url, key, pid: handle.child.pid, handle, args: args.map((a) => (a === key ? "<key>" : a)) };
  } catch (e) {
    await handle.stop();
    throw e;
  }
}
