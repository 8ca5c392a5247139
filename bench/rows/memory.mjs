// Issue 2: the runtime's idle RSS and each Python worker's RSS, read from /proc.
import { figureBelow } from "../lib/checks.mjs";
import { childProcesses, rssBytes } from "../lib/proc.mjs";

const MB = 1e6;

async function workersOf(pid, expected, timeoutMs = 15_000) {
  // Workers start after the listening line; poll /proc (there is no event for "all children up").
  const until = Date.now() + timeoutMs;
  for (;;) {
    const workers = childProcesses(pid).filter((c) => /python/i.test(c.command));
    if (workers.length >= expected || Date.now() > until) return workers;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A memory row: `when` says which moment it is ("idle after start-up", "idle after the load rows").
 * expectedWorkers: how many Python children to wait for.
 */
export function memoryRow({ id, when, expectedWorkers }) {
  return {
    id,
    kind: "memory",
    issue: 2,
    async run(ctx) {
      const runtime = await ctx.targets.get("runtime");
      if (runtime.unavailable) return { id, kind: "memory", issue: 2, when, skipped: runtime.unavailable, checks: [] };
      const workers = (await workersOf(runtime.pid, expectedWorkers)).map((w) => ({ pid: w.pid, rssMB: rssBytes(w.pid) / MB }));
      const runtimeMB = rssBytes(runtime.pid) / MB;
      return {
        id,
        kind: "memory",
        issue: 2,
        when,
        runtime: { pid: runtime.pid, rssMB: runtimeMB },
        workers,
        checks: [
          figureBelow(`runtime RSS ${when} < 80 MB`, runtimeMB, 80, "MB"),
          ...workers.map((w) => figureBelow(`worker ${w.pid} RSS ${when} < 20 MB`, w.rssMB, 20, "MB")),
        ],
      };
    },
  };
}
