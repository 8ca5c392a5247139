import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

/** A redis-server started for a test; stop it when done. */
export interface RedisServer {
  /** redis:// URL to connect to, e.g. redis://127.0.0.1:41234. */
  url: string;
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts a redis-server on a free loopback port in a temporary directory, persistence off.
 * redis-server cannot listen on port 0 and report it, so a free port is picked and the start is
 * retried if another process takes it first.
 */
export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "toolbridge-redis-"));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      const child = await spawnReady(port, dir);
      return { url: `redis://127.0.0.1:${port}`, port, stop: () => stop(child, dir) };
    } catch (err) {
      lastError = err;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`redis-server did not start: ${String(lastError)}`);
}

function spawnReady(port: number, dir: string): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        child.stdout?.resume();
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`exited with ${code}: ${output.slice(-500)}`));
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", onExit);
    child.once("error", reject);
  });
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}
