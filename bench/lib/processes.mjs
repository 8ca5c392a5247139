// Every child process the harness starts, tracked so that all of them end: on success, on failure and on Ctrl-C.
import { fork, spawn } from "node:child_process";
import { createInterface } from "node:readline";

const live = new Set();
const RECENT_LINES = 40;

/** A handle on a tracked child: its process, its recent output, a way to await a line, and stop(). */
function track(name, child) {
  const recent = [];
  const waiters = new Set();
  const handle = {
    name,
    child,
    exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
    /** The last lines the child wrote, for error messages. */
    recentOutput: () => recent.join("\n"),
    /** Resolves with the match of the first line (seen from now on) that matches `pattern`; rejects on exit or timeout. */
    waitForLine(pattern, timeoutMs = 30_000) {
      for (const line of recent) {
        const m = line.match(pattern);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const waiter = { pattern, resolve, reject };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; its output:\n${handle.recentOutput()}`));
        }, timeoutMs);
        waiter.done = () => clearTimeout(timer);
        waiters.add(waiter);
      });
    },
    /** Asks the child to stop (SIGTERM), then kills its whole process group after `graceMs`. */
    async stop({ graceMs = 5_000 } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => killGroup(child.pid), graceMs);
        await handle.exited;
        clearTimeout(timer);
      }
      killGroup(child.pid); // strays: grandchildren that outlived their parent
      live.delete(handle);
    },
  };
  const onLine = (line) => {
    recent.push(line);
    if (recent.length > RECENT_LINES) recent.shift();
    for (const waiter of waiters) {
      const m = line.match(waiter.pattern);
      if (m) {
        waiters.delete(waiter);
        waiter.done();
        waiter.resolve(m);
      }
    }
  };
  if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on("line", onLine);
  child.once("exit", (code, signal) => {
    for (const waiter of waiters) {
      waiter.done();
      waiter.reject(new Error(`${name} exited (${signal ?? code}) before printing ${waiter.pattern}; its output:\n${handle.recentOutput()}`));
    }
    waiters.clear();
  });
  live.add(handle);
  return handle;
}

function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

// A server the bench starts is configured by its flags and the `env` given here, never by the TOOLBRIDGE_* or
// UPSTASH_* settings of the shell that runs the bench (a TOOLBRIDGE_GATEWAY_URL there would register the bench's
// runtimes with someone else's gateway).
function childEnv(env) {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(TOOLBRIDGE|UPSTASH)_/.test(name));
  return { ...Object.fromEntries(inherited), ...env };
}

/**
 * Spawns `command args` in its own process group (so the group, workers included, can be killed), tracked.
 * stdin is a pipe the harness holds: a child that watches it ends when the harness dies.
 */
export function spawnTracked(name, command, args, { env, cwd, execArgv } = {}) {
  const child = spawn(command, [...(execArgv ?? []), ...args], {
    cwd,
    env: childEnv(env),
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  return track(name, child);
}

/** Forks a Node module with an IPC channel, in its own process group, tracked. */
export function forkTracked(name, modulePath, args, { env, execArgv } = {}) {
  const child = fork(modulePath, args, {
    env: childEnv(env),
    stdio: ["pipe", "pipe", "pipe", "ipc"],
    detached: true,
    execArgv: execArgv ?? [],
  });
  return track(name, child);
}

/** Stops every tracked child that is still running. */
export async function stopAll() {
  await Promise.all([...live].map((handle) => handle.stop()));
}

let installed = false;

/** Makes Ctrl-C, SIGTERM, an uncaught error and plain exit stop every tracked child. */
export function installCleanup() {
  if (installed) return;
  installed = true;
  process.on("exit", () => {
    for (const handle of live) killGroup(handle.child.pid);
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${live.size} child process(es)\n`);
      stopAll().finally(() => process.exit(130));
    });
  }
}
