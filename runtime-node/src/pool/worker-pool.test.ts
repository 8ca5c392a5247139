import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createCallCancel } from "../call-cancel.js";
import { silentLogger } from "../log.js";
import type { CancelReason, WorkerExit, WorkerLabel } from "./worker-errors.js";
import type { CallListener, ObjectFrame, PoolWorker, WorkerCall, WorkerToolInfo } from "./worker-interface.js";
import { createWorkerPool, type WorkerPoolOptions } from "./worker-pool.js";

// A worker in memory: the test decides when it is ready, how calls end, and when it dies.
class FakeWorker implements PoolWorker {
  static nextPid = 1000;
  readonly label: WorkerLabel;
  readonly ready: Promise<WorkerToolInfo[]>;
  readonly exited: Promise<WorkerExit>;
  readonly calls = new Map<number, { call: WorkerCall; listener: CallListener }>();
  readonly cancels: [number, CancelReason][] = [];
  closed = false;
  killed = false;
  private nextId = 1;
  private markReady!: (tools: WorkerToolInfo[]) => void;
  private failReady!: (error: Error) => void;
  private markExited!: (exit: WorkerExit) => void;
  private dead = false;

  constructor(index: number) {
    this.label = { index, pid: FakeWorker.nextPid++ };
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => {});
    this.exited = new Promise((resolve) => {
      this.markExited = resolve;
    });
  }

  start(tools: WorkerToolInfo[] = [{ name: "echo" }]): void {
    this.markReady(tools);
  }

  fatal(message: string): void {
    this.failReady(new Error(message));
  }

  call(call: WorkerCall, listener: CallListener): number {
    const id = this.nextId++;
    this.calls.set(id, { call, listener });
    return id;
  }

  object(frame: ObjectFrame, listener: CallListener): number {
    const id = this.nextId++;
    this.calls.set(id, { call: { ...call(`object:${frame.op}`) }, listener });
    return id;
  }

  cancel(id: number, reason: CancelReason): void {
    this.cancels.push([id, reason]);
  }

  /** Ends the oldest open call (or the given one) with a result. */
  finish(id = this.calls.keys().next().value as number, value: unknown = "ok"): void {
    const entry = this.calls.get(id);
    if (entry === undefined) throw new Error(`no call ${id}`);
    this.calls.delete(id);
    entry.listener.end(undefined, { value: value as never, payload: undefined, runMs: 1 });
  }

  fail(id: number, error: ConnectError): void {
    const entry = this.calls.get(id);
    this.calls.delete(id);
    entry?.listener.end(error);
  }

  die(exit: WorkerExit = { code: null, signal: "SIGKILL" }): void {
    if (this.dead) return;
    this.dead = true;
    this.failReady(new Error("died before ready"));
    for (const [id, entry] of this.calls) {
      this.calls.delete(id);
      entry.listener.end(new ConnectError("worker died", Code.Unavailable));
    }
    this.markExited(exit);
  }

  close(): void {
    this.closed = true;
    if (this.calls.size === 0) this.die({ code: 0, signal: null });
  }

  kill(): void {
    this.killed = true;
    this.die();
  }
}

// A pool over fake workers; `spawned` lists every worker in spawn order and `nextSpawn` awaits the next one.
function fakePool(options: Partial<WorkerPoolOptions> = {}, autoStart = true) {
  const spawned: FakeWorker[] = [];
  const waiters: ((w: FakeWorker) => void)[] = [];
  const pool = createWorkerPool({
    size: 2,
    concurrency: 2,
    maxQueue: 2,
    cancelGraceMs: 20,
    restartDelayMs: 1,
    log: silentLogger,
    spawn(index) {
      const worker = new FakeWorker(index);
      spawned.push(worker);
      if (autoStart) worker.start();
      waiters.shift()?.(worker);
      return worker;
    },
    ...options,
  });
  const nextSpawn = () => new Promise<FakeWorker>((resolve) => waiters.push(resolve));
  return { pool, spawned, nextSpawn };
}

const call = (tool = "echo"): WorkerCall => ({
  tool,
  args: {},
  payload: undefined,
  session: "",
  request: "",
  timeoutMs: null,
  stream: false,
});

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (e) {
    return e as ConnectError;
  }
  throw new Error("expected the promise to reject");
}

// Lets promise callbacks (ready handlers, rejections) run.
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("WorkerPool", () => {
  it("starts every worker and reports the tools of the first", async () => {
    const { pool, spawned } = fakePool();
    expect(await pool.start()).toEqual([{ name: "echo" }]);
    expect(spawned).toHaveLength(2);
  });

  it("fails to start when a worker reports fatal, and kills the others", async () => {
    const { pool, spawned } = fakePool({}, false);
    const started = pool.start();
    spawned[0].start();
    spawned[1].fatal("cannot import module 'nope'");
    await expect(started).rejects.toThrow("cannot import module 'nope'");
    expect(spawned[0].killed).toBe(true);
  });

  it("dispatches each call to the least-loaded worker", async () => {
    const { pool, spawned } = fakePool({ concurrency: 4 });
    await pool.start();
    const calls = [pool.call(call()), pool.call(call()), pool.call(call())];
    expect(spawned.map((w) => w.calls.size)).toEqual([2, 1]);
    spawned[0].finish();
    spawned[0].finish();
    void pool.call(call());
    expect(spawned.map((w) => w.calls.size)).toEqual([1, 1]);
    spawned[1].finish();
    await Promise.all(calls.slice(0, 3));
  });

  it("queues calls beyond the workers' concurrency and runs them in order as slots free", async () => {
    const { pool, spawned } = fakePool({ size: 1, concurrency: 1, maxQueue: 5 });
    await pool.start();
    const first = pool.call(call("a"));
    const second = pool.call(call("b"));
    const third = pool.call(call("c"));
    expect(pool.load()).toEqual({ inFlight: 1, queued: 2 });
    spawned[0].finish(1, "A");
    expect([...spawned[0].calls.values()].map((c) => c.call.tool)).toEqual(["b"]);
    spawned[0].finish(2, "B");
    spawned[0].finish(3, "C");
    const outcomes = await Promise.all([first, second, third]);
    expect(outcomes.map((o) => o.value)).toEqual(["A", "B", "C"]);
    expect(outcomes[2].queueMs).toBeGreaterThanOrEqual(0);
  });

  it("refuses a call with RESOURCE_EXHAUSTED when the queue is full", async () => {
    const { pool } = fakePool({ size: 1, concurrency: 1, maxQueue: 1 });
    await pool.start();
    void pool.call(call());
    void pool.call(call());
    const error = await rejection(pool.call(call()));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/1 calls are already waiting/);
  });

  it("drops a queued call that is cancelled, without running it", async () => {
    const { pool, spawned } = fakePool({ size: 1, concurrency: 1 });
    await pool.start();
    const running = pool.call(call("running"));
    const controller = createCallCancel();
    const waiting = pool.call(call("waiting"), undefined, controller.token);
    controller.cancel(new ConnectError("too slow", Code.DeadlineExceeded));
    expect((await rejection(waiting)).code).toBe(Code.DeadlineExceeded);
    expect(pool.load().queued).toBe(0);
    spawned[0].finish();
    await running;
    expect(spawned[0].calls.size).toBe(0);
  });

  it("fails a running call at once when it is cancelled and sends the worker a cancel", async () => {
    const { pool, spawned } = fakePool({ size: 1 });
    await pool.start();
    const controller = createCallCancel();
    const running = pool.call(call(), undefined, controller.token);
    controller.cancel(new ConnectError("the client went away", Code.Canceled));
    const error = await rejection(running);
    expect(error.code).toBe(Code.Canceled);
    expect(spawned[0].cancels).toEqual([[1, "canceled"]]);
    // The worker honours the cancel in time: it stays in service.
    spawned[0].fail(1, new ConnectError("canceled", Code.Canceled));
    void pool.call(call());
    expect(spawned[0].calls.size).toBe(1);
    expect(spawned).toHaveLength(1);
  });

  it("fails a call whose timeoutMs passes with DEADLINE_EXCEEDED and sends the worker a cancel", async () => {
    const { pool, spawned } = fakePool({ size: 1 });
    await pool.start();
    const error = await rejection(pool.call({ ...call(), timeoutMs: 5 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(error.rawMessage).toBe("the call did not finish within its deadline of 5 ms");
    expect(spawned[0].cancels).toEqual([[1, "deadline_exceeded"]]);
  });

  it("times a queued call from when it arrived", async () => {
    const { pool, spawned } = fakePool({ size: 1, concurrency: 1 });
    await pool.start();
    const running = pool.call(call());
    const error = await rejection(pool.call({ ...call(), timeoutMs: 5 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(pool.load()).toEqual({ inFlight: 1, queued: 0 });
    spawned[0].finish();
    await running;
  });

  it("recycles a worker that ignores a cancel past the grace period", async () => {
    const { pool, spawned, nextSpawn } = fakePool({ size: 1, concurrency: 4 });
    await pool.start();
    const old = spawned[0];
    const other = pool.call(call("other"));
    const controller = createCallCancel();
    const stuck = pool.call(call("stuck"), undefined, controller.token);
    const replacement = nextSpawn();
    controller.cancel(new ConnectError("deadline", Code.DeadlineExceeded));
    expect((await rejection(stuck)).code).toBe(Code.DeadlineExceeded);
    expect(old.cancels).toEqual([[2, "deadline_exceeded"]]);
    const fresh = await replacement;
    await settle();
    // New calls go to the replacement; the old worker keeps its other call until it ends, then is killed.
    const next = pool.call(call("next"));
    expect(fresh.calls.size).toBe(1);
    expect(old.killed).toBe(false);
    old.finish(1, "other done");
    expect((await other).value).toBe("other done");
    expect(old.killed).toBe(true);
    fresh.finish();
    await next;
  });

  it("restarts a worker that died, after a backoff", async () => {
    const { pool, spawned, nextSpawn } = fakePool({ size: 2 });
    await pool.start();
    const onDying = pool.call(call());
    const onOther = pool.call(call());
    const restarted = nextSpawn();
    spawned[0].die();
    expect((await rejection(onDying)).code).toBe(Code.Unavailable);
    const fresh = await restarted;
    expect(fresh.label.index).toBe(0);
    spawned[1].finish();
    expect((await onOther).value).toBe("ok");
  });

  it("holds calls in the queue while no worker is running, and runs them once one is back", async () => {
    const { pool, spawned, nextSpawn } = fakePool({ size: 1, concurrency: 1, maxQueue: 4 });
    await pool.start();
    const restarted = nextSpawn();
    spawned[0].die();
    await settle();
    const waiting = pool.call(call());
    const fresh = await restarted;
    await settle();
    fresh.finish();
    expect((await waiting).value).toBe("ok");
  });

  it("fails waiting calls with UNAVAILABLE on stop and closes the workers", async () => {
    const { pool, spawned } = fakePool({ size: 1, concurrency: 1 });
    await pool.start();
    const running = pool.call(call());
    const waiting = pool.call(call());
    const stopped = pool.stop(1000);
    expect((await rejection(waiting)).code).toBe(Code.Unavailable);
    expect(spawned[0].closed).toBe(true);
    expect((await rejection(pool.call(call()))).code).toBe(Code.Unavailable);
    spawned[0].finish();
    expect((await running).value).toBe("ok");
    spawned[0].die({ code: 0, signal: null });
    await stopped;
  });

  it("kills workers that do not stop within the timeout", async () => {
    const { pool, spawned } = fakePool({ size: 1 });
    await pool.start();
    void pool.call(call()).catch(() => {});
    await pool.stop(5);
    expect(spawned[0].killed).toBe(true);
  });

  it("forwards chunks and progress of a running call", async () => {
    const { pool, spawned } = fakePool({ size: 1 });
    await pool.start();
    const seen: unknown[] = [];
    const running = pool.call(call(), { chunk: (v) => seen.push(v), progress: (f, m) => seen.push([f, m]) });
    const { listener } = spawned[0].calls.get(1) as { listener: CallListener };
    listener.chunk?.(1, undefined);
    listener.progress?.(0.5, "half");
    spawned[0].finish(1, "done");
    await running;
    expect(seen).toEqual([1, [0.5, "half"]]);
  });

  it("runs a nested call at once on a worker at its concurrency limit, while a plain call waits", async () => {
    const { pool, spawned } = fakePool({ size: 1, concurrency: 1 });
    await pool.start();
    const parent = pool.call(call("parent"));
    const waiting = pool.call(call("plain"));
    const nested = pool.call({ ...call("nested"), nested: true });
    const worker = spawned[0];
    expect([...worker.calls.values()].map((c) => c.call.tool)).toEqual(["parent", "nested"]);
    expect(pool.load()).toEqual({ inFlight: 2, queued: 1 });
    worker.finish(2, "inner");
    expect((await nested).value).toBe("inner");
    worker.finish(1, "outer");
    expect((await parent).value).toBe("outer");
    await settle();
    worker.finish(3, "then");
    expect((await waiting).value).toBe("then");
  });

  it("holds a nested call only while no worker is ready, then runs it first", async () => {
    const { pool, spawned, nextSpawn } = fakePool({ size: 1, concurrency: 1 });
    await pool.start();
    const replacement = nextSpawn();
    spawned[0].die();
    await settle();
    const plain = pool.call(call("plain"));
    const nested = pool.call({ ...call("nested"), nested: true });
    expect(pool.load().queued).toBe(2);
    const worker = await replacement;
    await settle();
    // The nested call first, though it came second; the plain one waits for the slot.
    expect([...worker.calls.values()].map((c) => c.call.tool)).toEqual(["nested"]);
    worker.finish(undefined, "n");
    expect((await nested).value).toBe("n");
    await settle();
    worker.finish(undefined, "p");
    expect((await plain).value).toBe("p");
  });

  it("sends object requests to the worker named, and fails them UNAVAILABLE once it has ended", async () => {
    const { pool, spawned } = fakePool({ size: 1 });
    await pool.start();
    const ref = pool.pickWorker();
    expect(ref?.alive).toBe(true);
    const answer = pool.object(ref as NonNullable<typeof ref>, { op: "list", session: "s" }, 1000);
    spawned[0].finish(undefined, { objects: [] });
    expect(await answer).toEqual({ objects: [] });
    spawned[0].die();
    await settle();
    expect(ref?.alive).toBe(false);
    expect((await rejection(pool.object(ref as NonNullable<typeof ref>, { op: "list", session: "s" }, 1000))).code).toBe(Code.Unavailable);
  });
});
