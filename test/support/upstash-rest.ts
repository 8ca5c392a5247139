import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

/** The Upstash REST front (infra/upstash-rest) started for a test; stop it when done. */
export interface UpstashRest {
  /** Base URL to give @upstash/redis. */
  url: string;
  /** The bearer token it requires. */
  token: string;
  /** Stops the front (the redis-server behind it keeps running). */
  stop(): Promise<void>;
}

const main = fileURLToPath(new URL("../../infra/upstash-rest/main.mjs", import.meta.url));

/** Starts the REST front on a free loopback port in front of `redisUrl`, with a fresh random token. */
export function startUpstashRest(redisUrl: string): Promise<UpstashRest> {
  const token = randomBytes(24).toString("base64url");
  const child = spawn(process.execPath, [main, "--port", "0", "--redis", redisUrl], {
    env: { ...process.env, UPSTASH_REDIS_REST_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        child.stdout?.resume();
        resolve({ url: match[1], token, stop: () => stop(child) });
      }
    };
    const onExit = (code: number | null) => reject(new Error(`upstash-rest exited with ${code}: ${output}`));
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", onExit);
    child.once("error", reject);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
