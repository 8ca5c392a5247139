// Starts the gateway's real entry point (node gateway/dist/src/main.js) for end-to-end tests.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The gateway's entry point, built by `npx tsc -b`. */
export const gatewayMain = fileURLToPath(new URL("../../dist/src/main.js", import.meta.url));

/** A running gateway process. */
export interface GatewayProcess {
  /** Base URL from the start-up line. */
  readonly url: string;
  /** The start-up line. */
  readonly startLine: string;
  /** Its process id. */
  readonly pid: number;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the first stderr line matching `pattern` (counting what was written already), within timeoutMs. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with its exit code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM (or `signal`) and waits for the exit; SIGKILL after 15 s. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts a gateway on 127.0.0.1, port 0, with this environment (TOOLBRIDGE_* of the test process are dropped). */
export async function startGateway(env: Record<string, string>, args: string[] = []): Promise<GatewayProcess> {
  if (!existsSync(gatewayMain)) throw new Error(`${gatewayMain} is missing: run \`npx tsc -b\` first`);
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("TOOLBRIDGE_") && !name.startsWith("UPSTASH_")) childEnv[name] = value;
  }
  Object.assign(childEnv, { TOOLBRIDGE_GATEWAY_PORT: "0", TOOLBRIDGE_GATEWAY_HOST: "127.0.0.1" }, env);
  const child = spawn(process.execPath, [gatewayMain, ...args], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (text: string) => (out += text));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    err += text;
    for (const check of waiters) check();
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gateway did not start within 20 s; stderr:\n${err}`));
    }, 20_000);
    const check = () => {
      const newline = out.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      child.stdout?.off("data", check);
      resolve(out.slice(0, newline));
    };
    child.stdout?.on("data", check);
    exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${exit.code ?? exit.signal}) before it started; stderr:\n${err}`));
    });
  });
  const match = /^toolbridge gateway listening on (\S+) /.exec(line);
  if (match === null) {
    child.kill("SIGKILL");
    throw new Error(`unexpected start-up line: ${line}`);
  }
  return {
    url: match[1],
    startLine: line,
    pid: child.pid as number,
    stderr: () => err,
    waitForStderr(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = err.split("\n").find((l) => pattern.test(l));
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no stderr line matched ${pattern} within ${timeoutMs} ms; stderr:\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
