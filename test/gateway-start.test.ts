// `npm start` (scripts/start.mjs): a gateway and a runtime, a development key, and a curl line that
// works as printed; SIGTERM stops both. Ports are moved to free ones so the test runs anywhere.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "./support/redis.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = fileURLToPath(new URL("../scripts/start.mjs", import.meta.url));

let child: ChildProcess | undefined;
let redis: RedisServer | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  child = undefined;
  await redis?.stop();
  redis = undefined;
});

function sh(command: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile("sh", ["-c", command], { cwd: root, timeout: 20_000 }, (error, stdout) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout });
    });
  });
}

/** Starts the script and resolves with its output once it printed its banner. */
function startScript(env: Record<string, string>): Promise<{ output: string; exited: Promise<number | null> }> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("TOOLBRIDGE_") && !name.startsWith("UPSTASH_")) clean[name] = value;
  const started = spawn(process.execPath, [script], {
    cwd: root,
    env: { ...clean, TOOLBRIDGE_GATEWAY_PORT: "0", TOOLBRIDGE_PORT: "0", TOOLBRIDGE_WORKERS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = started;
  const exited = new Promise<number | null>((resolve) => started.once("exit", (code) => resolve(code)));
  let out = "";
  let err = "";
  started.stderr?.setEncoding("utf8").on("data", (text: string) => (err += text));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s; stdout:\n${out}\nstderr:\n${err}`)), 30_000);
    started.stdout?.setEncoding("utf8").on("data", (text: string) => {
      out += text;
      if (out.includes("Ctrl-C stops both.")) {
        clearTimeout(timer);
        resolve({ output: out, exited });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`start.mjs exited (${code}) early; stderr:\n${err}`));
    });
  });
}

describe("npm start", () => {
  it("prints a curl line that works as printed, and stops both processes on SIGTERM", async () => {
    const { output, exited } = await startScript({});
    expect(output).toMatch(/toolbridge is running \(memory store\)/);
    const key = /development API key \(all tools\): (\S+)/.exec(output)?.[1];
    expect(key).toMatch(/^tbk_dev_/);
    const gatewayUrl = /gateway {2}(\S+)/.exec(output)?.[1] as string;
    const curlLine = output.split("\n").find((line) => line.trim().startsWith("curl ")) as string;
    expect(curlLine).toContain(gatewayUrl);

    const result = await sh(curlLine.trim());
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ result: { result: "olleh" } });

    child?.kill("SIGTERM");
    expect(await exited).toBe(0);
    // Both processes are gone: nothing answers on the gateway's port any more.
    expect((await sh(`curl -sS --max-time 5 ${gatewayUrl}/healthz`)).code).not.toBe(0);
  });

  it("switches to Redis when TOOLBRIDGE_REDIS_URL is set", async () => {
    redis = await startRedis();
    const { output } = await startScript({ TOOLBRIDGE_REDIS_URL: redis.url });
    expect(output).toMatch(/toolbridge is running \(redis store\)/);
    const curlLine = output.split("\n").find((line) => line.trim().startsWith("curl ")) as string;
    expect(JSON.parse((await sh(curlLine.trim())).stdout)).toMatchObject({ result: { result: "olleh" } });
  });
});
