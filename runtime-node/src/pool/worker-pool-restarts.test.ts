import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../log.js";
import type { WorkerExit, WorkerLabel } from "./worker-errors.js";
import type { PoolWorker, WorkerToolInfo } from "./worker-interface.js";
import { createWorkerPool } from "./worker-pool.js";

// A worker that is ready at once, runs no calls, and dies when the test says.
class DyingWorker implements PoolWorker {
  static nextPid = 5000;
  readonly label: WorkerLabel;
  readonly ready: Promise<WorkerToolInfo[]> = Promise.resolve([{ name: "echo" }]);
  readonly exited: Promise<WorkerExit>;
  die!: () => void;

  constructor(index: number) {
    this.label = { index, pid: DyingWorker.nextPid++ };
    this.exited = new Promise((resolve) => {
      this.die = () => resolve({ code: 1, signal: null });
    });
  }

  call(): number {
    throw new Error("no calls in these tests");
  }

  object(): number {
    throw new Error("no calls in these tests");
  }

  cancel(): void {}

  close(): void {
    this.die();
  }

  kill(): void {
    this.die();
  }
}

// One slot with a 100 ms first delay, at most 800 ms, reset by a worker that lived 1000 ms.
async function startPool() {
  const spawned: DyingWorker[] = [];
  const pool = createWorkerPool({
    size: 1,
    concurrency: 1,
    maxQueue: 1,
    cancelGraceMs: 1000,
    restartDelayMs: 100,
    maxRestartDelayMs: 800,
    stableAfterMs: 1000,
    log: silentLogger,
    spawn(index) {
      const worker = new DyingWorker(index);
      spawned.push(worker);
      return worker;
    },
  });
  await pool.start();
  // Kills the current worker after it lived `livedMs`, and measures on the fake clock how long the pool waits
  // before it spawns the next one.
  async function restartDelayAfter(livedMs = 0): Promise<number> {
    await vi.advanceTimersByTimeAsync(livedMs);
    const count = spawned.length;
    (spawned.at(-1) as DyingWorker).die();
    await vi.advanceTimersByTimeAsync(0);
    let waited = 0;
    while (spawned.length === count) {
      if (waited > 60_000) throw new Error("the worker was not restarted within a minute");
      await vi.advanceTimersByTimeAsync(1);
      waited++;
    }
    // Let the new worker's ready promise settle before it is killed in turn.
    await vi.advanceTimersByTimeAsync(0);
    return waited;
  }
  return { pool, restartDelayAfter };
}

describe("WorkerPool restarts", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("doubles the delay after each quick death, up to maxRestartDelayMs", async () => {
    const { pool, restartDelayAfter } = await startPool();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) delays.push(await restartDelayAfter());
    expect(delays).toEqual([100, 200, 400, 800, 800, 800]);
    await pool.stop(0);
  });

  it("starts again from restartDelayMs after a worker that lived stableAfterMs, not after one that lived less", async () => {
    const { pool, restartDelayAfter } = await startPool();
    expect([await restartDelayAfter(), await restartDelayAfter(), await restartDelayAfter()]).toEqual([100, 200, 400]);
    expect(await restartDelayAfter(999)).toBe(800);
    expect(await restartDelayAfter(1000)).toBe(100);
    expect(await restartDelayAfter()).toBe(200);
    await pool.stop(0);
  });
});
