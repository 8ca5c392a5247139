// The harness's handle on the load generator process, which runs apart from the harness and the servers.
import { fileURLToPath } from "node:url";
import { forkTracked } from "./processes.mjs";

const ENTRY = fileURLToPath(new URL("./load-generator.mjs", import.meta.url));

/**
 * Starts the load generator process.
 *
 * Returns { run(job) -> Promise<result>, pid, close() }. A job is { client, url, key, request, concurrency,
 * warmupMs, durationMs, maxMessageBytes, python } (see clients.createCaller and load.runClosedLoop); the result is
 * the run's summary.
 */
export function startLoadProcess() {
  const handle = forkTracked("load generator", ENTRY, []);
  const pending = new Map();
  let nextId = 1;
  handle.child.on("message", ({ id, result, error }) => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (error) entry.reject(new Error(error));
    else entry.resolve(result);
  });
  handle.child.on("error", () => {}); // a send after exit; reported by run()
  handle.child.once("exit", (code, signal) => {
    for (const entry of pending.values()) entry.reject(new Error(`load generator exited (${signal ?? code})`));
    pending.clear();
  });
  return {
    pid: handle.child.pid,
    run(job) {
      if (!handle.child.connected) return Promise.reject(new Error("the load generator is not running"));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        handle.child.send({ id, job });
      });
    },
    close: () => handle.stop(),
  };
}
