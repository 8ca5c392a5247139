// Starts a real runtime process (node runtime-node/dist/src/main.js) for tests and the benchmark.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The runtime's entry point, built by `npx tsc -b`. */
export const runtimeMain = fileURLToPath(new URL("../../runtime-node/dist/src/main.js", import.meta.url));

/** The repository's python/ directory, whose tests/fixtures hold test-only tools. */
export const pythonDir = fileURLToPath(new URL("../../python", import.meta.url));

/** Options of startRuntime. */
export interface StartRuntimeOptions {
  /** Flags after main.js. `--port 0` and `--host 127.0.0.1` are added unless given. */
  args?: string[];
  /** Extra environment (merged over this process's, minus any TOOLBRIDGE_* of it). */
  env?: Record<string, string>;
  /** How long to wait for the start-up line. Default 30000. */
  startTimeoutMs?: number;
}

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running runtime process. */
export interface RuntimeProcess {
  /** Base URL from the start-up line, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The key to send (generated or from --key); undefined with --insecure. */
  readonly key: string | undefined;
  /** Tool names from the start-up line. */
  readonly tools: string[];
  /** The start-up line itself. */
  readonly startLine: string;
  /** The runtime's process id. */
  readonly pid: number;
  /** Everything it wrote to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** `Authorization: Bearer <key>` headers, or none when insecure. */
  headers(): Record<string, string>;
  /**
   * Resolves with the `occurrence`-th stderr line matching `pattern` (default the first), counting what was
   * written already too.
   */
  waitForStderr(pattern: RegExp, timeoutMs?: number, occurrence?: number): Promise<string>;
  /** How many stderr lines so far match `pattern`. */
  countStderr(pattern: RegExp): number;
  /** Resolves when the process has ended. */
  readonly exited: Promise<ProcessExit>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILLs after `timeoutMs` (default 15000). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function spawnRuntime(options: StartRuntimeOptions): ChildProcess {
  if (!existsSync(runtimeMain)) throw new Error(`${runtimeMain} is missing: run \`npx tsc -b\` first`);
  const args = [...(options.args ?? [])];
  if (!args.includes("--port")) args.push("--port", "0");
  if (!args.includes("--host")) args.push("--host", "127.0.0.1");
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("TOOLBRIDGE_")) env[name] = value;
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [runtimeMain, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

function exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/** The Python workers of a runtime: its child processes, by pid (read with ps). */
export function childPids(runtime: RuntimeProcess): number[] {
  const out = execFileSync("ps", ["-o", "pid=", "--ppid", String(runtime.pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

/** Starts a runtime and resolves once it printed its start-up line (and key line). Rejects if it exits first. */
export async function startRuntime(options: StartRuntimeOptions = {}): Promise<RuntimeProcess> {
  const child = spawnRuntime(options);
  let out = "";
  let err = "";
  const stderrWaiters = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (text: string) => (out += text));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    err += text;
    for (const check of stderrWaiters) check();
  });
  const exited = exitOf(child);
  const args = options.args ?? [];
  const insecure = args.includes("--insecure") || options.env?.TOOLBRIDGE_INSECURE === "1";
  const keyFlag = args.indexOf("--key");
  const givenKey = keyFlag >= 0 ? args[keyFlag + 1] : options.env?.TOOLBRIDGE_RUNTIME_KEY;
  const needKeyLine = !insecure && givenKey === undefined;
  const timeoutMs = options.startTimeoutMs ?? 30_000;

  const started = await new Promise<{ line: string; key: string | undefined }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`runtime did not start within ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    const check = () => {
      const lines = out.split("\n");
      const line = lines[0];
      if (lines.length < 2) return;
      if (!needKeyLine) return done(line, givenKey);
      const keyLine = lines[1].match(/^runtime key \(generated for this run\): (\S+)$/);
      if (lines.length >= 3 && keyLine === null) return done(line, undefined);
      if (keyLine !== null) done(line, keyLine[1]);
    };
    const done = (line: string, key: string | undefined) => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      resolve({ line, key });
    };
    child.stdout?.on("data", check);
    exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited (${exit.code ?? exit.signal}) before it started; stderr:\n${err}`));
    });
  });

  const match = started.line.match(/^toolbridge runtime listening on (\S+) \(([^)]+)\) with \d+ tools: (.*)$/);
  if (match === null) {
    child.kill("SIGKILL");
    throw new Error(`unexpected start-up line: ${started.line}`);
  }
  const url = match[1];
  return {
    url,
    port: Number(new URL(url).port),
    key: started.key,
    tools: match[3].split(", "),
    startLine: started.line,
    pid: child.pid as number,
    stdout: () => out,
    stderr: () => err,
    headers: (): Record<string, string> => (started.key === undefined ? {} : { Authorization: `Bearer ${started.key}` }),
    countStderr: (pattern) => matching(err, pattern).length,
    waitForStderr(pattern, waitMs = 15_000, occurrence = 1) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = matching(err, pattern)[occurrence - 1];
          if (line === undefined) return;
          clearTimeout(timer);
          stderrWaiters.delete(check);
          resolve(line);
        };
        const timer = setTimeout(() => {
          stderrWaiters.delete(check);
          reject(new Error(`no stderr line matched ${pattern} within ${waitMs} ms; stderr:\n${err}`));
        }, waitMs);
        stderrWaiters.add(check);
        check();
      });
    },
    exited,
    async stop(signal = "SIGTERM", stopMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), stopMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function matching(text: string, pattern: RegExp): string[] {
  const plain = new RegExp(pattern.source, pattern.flags.replace("g", ""));
  return text.split("\n").filter((line) => plain.test(line));
}

/** Runs a runtime that is expected to fail at start-up; resolves with its exit and output. */
export async function runFailingRuntime(
  options: StartRuntimeOptions = {},
): Promise<ProcessExit & { stdout: string; stderr: string }> {
  const child = spawnRuntime(options);
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => (out += text));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => (err += text));
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const exit = await exitOf(child);
  clearTimeout(timer);
  // The streams may still hold the last bytes when "exit" fires.
  await Promise.all([child.stdout, child.stderr].map((s) => s && !s.closed && new Promise((r) => s.once("close", r))));
  return { ...exit, stdout: out, stderr: err };
}
