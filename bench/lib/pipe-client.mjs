// Drives bench/baselines/pipe_echo.py over its stdin/stdout, many calls in flight matched by id.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createFrameDecoder, encodeFrameHead } from "./frames.mjs";

const SCRIPT = fileURLToPath(new URL("../baselines/pipe_echo.py", import.meta.url));

/**
 * Starts one Python pipe-echo process.
 *
 * Options:
 * - python: the Python executable (default "python3").
 *
 * Returns { call(args, body) -> Promise<{header, body}>, close() -> Promise<void>, pid }.
 */
export function createPipeClient({ python = "python3" } = {}) {
  const child = spawn(python, [SCRIPT], { stdio: ["pipe", "pipe", "inherit"] });
  const pending = new Map();
  let nextId = 1;
  let exitError;

  const decoder = createFrameDecoder((header, body) => {
    const entry = pending.get(header.id);
    if (!entry) return;
    pending.delete(header.id);
    entry.resolve({ header, body });
  });
  child.stdout.on("data", (chunk) => decoder.push(chunk));
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exitError = new Error(`pipe echo exited (${signal ?? code})`);
      for (const entry of pending.values()) entry.reject(exitError);
      pending.clear();
      resolve();
    });
  });
  child.stdin.on("error", () => {}); // reported through "exit"

  return {
    pid: child.pid,
    call(args, body) {
      if (exitError) return Promise.reject(exitError);
      const id = nextId++;
      const payload = body ?? Buffer.alloc(0);
      const promise = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      child.stdin.write(encodeFrameHead({ t: "call", id, tool: "echo", args, session: "", request: "", timeout_ms: null, stream: false }, payload.length));
      if (payload.length > 0) child.stdin.write(payload);
      return promise;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
