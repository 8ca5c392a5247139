// A real redis-server for the gateway's Redis-protocol store, on a free loopback port, persistence off.
import { mkdtempSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnTracked } from "./processes.mjs";

/** A free loopback port: listen on port 0, read it, close (redis-server cannot listen on 0 and report the port). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server in a temporary directory and waits for "Ready to accept connections". Another process may
 * take the free port between the check and the start, so the start is retried on a new port.
 *
 * Resolves with { url, port, pid, handle } (handle.stop() also removes the directory).
 */
export async function startRedisServer({ attempts = 5 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "toolbridge-bench-redis-"));
  let lastError;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = await freePort();
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
    const handle = spawnTracked("redis-server", "redis-server", args);
    try {
      await handle.waitForLine(/Ready to accept connections/, 15_000);
      const stop = handle.stop;
      handle.stop = async (options) => {
        await stop(options);
        rmSync(dir, { recursive: true, force: true });
      };
      return { url: `redis://127.0.0.1:${port}`, port, pid: handle.child.pid, handle };
    } catch (e) {
      lastError = e;
      await handle.stop();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`redis-server did not start: ${lastError instanceof Error ? lastError.message : lastError}`);
}
