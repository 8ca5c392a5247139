// Drives a process that speaks the worker protocol over its stdin/stdout, many calls in flight matched by id:
// bench/baselines/pipe_echo.py (the floor), or a real toolbridge worker (`python3 -m toolbridge`).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createFrameDecoder, encodeFrameHead } from "./frames.mjs";

const SCRIPT = fileURLToPath(new URL("../baselines/pipe_echo.py", import.meta.url));
const PYTHON_PACKAGE_DIR = fileURLToPath(new URL("../../python", import.meta.url));

/**
 * Starts one Python process that answers call frames.
 *
 * Options:
 * - python: the Python executable (default "python3").
 * - worker: when true, a real worker (`python3 -m toolbridge --module <modules>`, after its `ready` frame);
 *   otherwise bench/baselines/pipe_echo.py.
 * - modules: the worker's tool modules (default ["examples"]).
 *
 * Returns { ready: Promise<void>, call(tool, args, body) -> Promise<{header, body}>, close() -> Promise<void>, pid }.
 * A call answered with an `error` frame rejects with its message.
 */
export function createPipeClient({ python = "python3", worker = false, modules = ["examples"] } = {}) {
  const args = worker ? ["-m", "toolbridge", ...modules.flatMap((m) => ["--module", m])] : [SCRIPT];
  const env = worker ? { ...process.env, PYTHONPATH: [PYTHON_PACKAGE_DIR, process.env.PYTHONPATH].filter(Boolean).join(":") } : process.env;
  const child = spawn(python, args, { stdio: ["pipe", "pipe", "inherit"], env });
  let onReady;
  const ready = worker ? new Promise((resolve) => (onReady = resolve)) : Promise.resolve();
  const pending = new Map();
  let nextId = 1;
  let exitError;

  const decoder = createFrameDecoder((header, body) => {
    if (header.t === "ready") return onReady?.();
    if (header.t === "fatal") return child.kill();
    const entry = pending.get(header.id);
    if (!entry || (header.t !== "result" && header.t !== "error")) return;
    pending.delete(header.id);
    if (header.t === "error") entry.reject(new Error(`${header.code}: ${header.message}`));
    else entry.resolve({ header, body });
  });
  child.stdout.on("data", (chunk) => decoder.push(chunk));
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exitError = new Error(`${worker ? "worker" : "pipe echo"} exited (${signal ?? code})`);
      onReady?.();
      for (const entry of pending.values()) entry.reject(exitError);
      pending.clear();
      resolve();
    });
  });
  child.stdin.on("error", () => {}); // reported through "exit"

  return {
    pid: child.pid,
    ready,
    call(tool, args, body) {
      if (exitError) return Promise.reject(exitError);
      const id = nextId++;
      const payload = body ?? Buffer.alloc(0);
      const promise = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      child.stdin.write(encodeFrameHead({ t: "call", id, tool, args, session: "", request: "", timeout_ms: null, stream: false }, payload.length));
      if (payload.length > 0) child.stdin.write(payload);
      return promise;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
