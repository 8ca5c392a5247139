import type { JsonValue } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import { codeToName } from "@toolbridge/proto";
import type { Logger } from "../log.js";
import type { CallCancel } from "../call-cancel.js";
import {
  cancelReason,
  deadlinePassed,
  type WorkerLabel,
  workerGone,
  poolStopping,
  queueFull,
  type WorkerExit,
} from "./worker-errors.js";
import type {
  CallListener,
  CallOutcome,
  ObjectFrame,
  PoolWorker,
  WorkerCall,
  WorkerToolInfo,
} from "./worker-interface.js";
import { createWaitingCalls } from "./waiting-calls.js";

/** Options of createWorkerPool. */
export interface WorkerPoolOptions {
  /** Worker processes kept running. */
  size: number;
  /** Calls in flight per worker before calls queue. */
  concurrency: number;
  /** Calls that may wait for a worker; beyond, calls fail RESOURCE_EXHAUSTED. */
  maxQueue: number;
  /** How long a cancelled call may take to end before its worker is recycled. */
  cancelGraceMs: number;
  /** Starts the worker for a slot (the real one spawns Python; tests pass fakes). */
  spawn: (index: number) => PoolWorker;
  /** First delay before restarting a worker that died; doubles on each further death. Default 100. */
  restartDelayMs?: number;
  /** Longest delay between restarts. Default 5000. */
  maxRestartDelayMs?: number;
  /** A worker that lived this long resets the restart delay when it dies. Default 10000. */
  stableAfterMs?: number;
  /** Where restarts and recycling are reported. */
  log: Logger;
}

/** What a call may hear before it ends: the chunks and progress of a streaming tool. */
export type CallEvents = Pick<CallListener, "chunk" | "progress">;

/** How a call ended well, with the time it waited for a worker. */
export interface PoolOutcome extends CallOutcome {
  /** Time spent waiting for a free worker. */
  queueMs: number;
}

/** A worker as state kept in it (the object bridge's objects) sees it: which one, and whether it still lives. */
export interface WorkerRef {
  /** Slot and pid, for messages. */
  readonly label: WorkerLabel;
  /** False once the process has ended (its objects with it). */
  readonly alive: boolean;
}

/** Calls in flight on workers and calls waiting for one. */
export interface PoolLoad {
  inFlight: number;
  queued: number;
}

/** A pool of worker processes with least-loaded dispatch, a bounded queue, restarts and recycling. */
export interface WorkerPool {
  /** Starts every worker; resolves with the tools they serve, rejects when one cannot start. */
  start(): Promise<WorkerToolInfo[]>;
  /**
   * Runs a call on the least-loaded worker, or queues it. When `cancel` fires, or the call's `timeoutMs` passes,
   * the call fails at once (with the cancel's reason, or DEADLINE_EXCEEDED) and the worker receives a cancel frame.
   * A nested call (`call.nested`) does not wait for a free slot: its parent may hold the very slot it would wait
   * for (Python -> TypeScript -> Python on one worker of concurrency 1), so it runs at once on the least-loaded
   * ready worker; the overshoot is bounded by the depth limit on nesting. It waits only while no worker is ready.
   */
  call(call: WorkerCall, events?: CallEvents, cancel?: CallCancel): Promise<PoolOutcome>;
  /** Current load. */
  load(): PoolLoad;
  /** The ready worker with the fewest calls, for state that must live in one worker; undefined while none is ready. */
  pickWorker(): WorkerRef | undefined;
  /**
   * Sends an object-bridge request to `worker` and resolves with its answer. Rejects with the worker's error,
   * UNAVAILABLE when the worker is gone, DEADLINE_EXCEEDED after `timeoutMs` (the worker still finishes it:
   * object requests cannot be cancelled).
   */
  object(worker: WorkerRef, frame: ObjectFrame, timeoutMs: number): Promise<JsonValue>;
  /** Refuses new calls, fails waiting ones, lets running ones finish for up to `timeoutMs`, then kills. */
  stop(timeoutMs: number): Promise<void>;
}

interface Slot {
  index: number;
  worker: PoolWorker;
  ready: boolean;
  readyAt: number;
  /** Calls on the worker, including abandoned ones still running in Python. */
  inFlight: number;
  /** Calls whose callers still wait for them. */
  live: number;
  retiring: boolean;
  /** True once the process has ended. */
  gone: boolean;
  /** The slot as WorkerRef, made on first use. */
  ref?: WorkerRef;
}

interface Task {
  call: WorkerCall;
  events: CallEvents | undefined;
  resolve: (outcome: PoolOutcome) => void;
  reject: (error: ConnectError) => void;
  enqueuedAt: number;
  state: "queued" | "running" | "settled";
  slot?: Slot;
  id: number;
  abandoned: boolean;
  graceTimer?: NodeJS.Timeout;
  deadlineTimer?: NodeJS.Timeout;
  unsubscribe?: () => void;
}

/** A WorkerPool over the workers `spawn` makes. */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { size, concurrency, maxQueue, cancelGraceMs, spawn, log } = options;
  const restartDelayMs = options.restartDelayMs ?? 100;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 5000;
  const stableAfterMs = options.stableAfterMs ?? 10_000;

  const slots: (Slot | undefined)[] = new Array(size).fill(undefined);
  const retiring = new Set<Slot>();
  const failures: number[] = new Array(size).fill(0);
  const restartTimers = new Set<NodeJS.Timeout>();
  const queue = createWaitingCalls<Task>((task) => task.state === "queued");
  // Nested calls wait only for a worker to be ready at all (all of them restarting), never for a slot.
  const nestedQueue = createWaitingCalls<Task>((task) => task.state === "queued");
  let started = false;
  let stopping = false;

  const slotOf = new WeakMap<WorkerRef, Slot>();
  function refOf(slot: Slot): WorkerRef {
    if (slot.ref === undefined) {
      const ref: WorkerRef = {
        get label() {
          return slot.worker.label;
        },
        get alive() {
          return !slot.gone;
        },
      };
      slot.ref = ref;
      slotOf.set(ref, slot);
    }
    return slot.ref;
  }

  function startSlot(index: number): Slot {
    const slot: Slot = {
      index,
      worker: spawn(index),
      ready: false,
      readyAt: 0,
      inFlight: 0,
      live: 0,
      retiring: false,
      gone: false,
    };
    slots[index] = slot;
    slot.worker.ready.then(
      () => {
        slot.ready = true;
        slot.readyAt = performance.now();
        if (started) log.info(`Python worker ${index} (pid ${slot.worker.label.pid}) is ready`);
        drain();
      },
      (error: Error) => {
        if (started) log.error(error.message);
        slot.worker.kill();
      },
    );
    slot.worker.exited.then((exit) => exited(slot, exit));
    return slot;
  }

  function exited(slot: Slot, exit: WorkerExit): void {
    slot.gone = true;
    if (slot.retiring) {
      retiring.delete(slot);
      log.info(`Python worker ${slot.index} (pid ${slot.worker.label.pid}) stopped after being replaced`);
      return;
    }
    if (slots[slot.index] !== slot) return;
    slots[slot.index] = undefined;
    if (!started || stopping) return;
    const { index } = slot;
    if (slot.ready && performance.now() - slot.readyAt >= stableAfterMs) failures[index] = 0;
    const delay = Math.min(restartDelayMs * 2 ** failures[index], maxRestartDelayMs);
    failures[index]++;
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
    log.warn(`Python worker ${index} (pid ${slot.worker.label.pid}) ${how}; restarting it in ${delay} ms`);
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (!stopping) startSlot(index);
    }, delay);
    restartTimers.add(timer);
  }

  // A worker that kept a cancelled call past the grace period gets no more calls; a replacement starts now,
  // and the old one is stopped as soon as the calls that still matter have ended.
  function recycle(slot: Slot): void {
    if (slot.retiring || stopping) return;
    slot.retiring = true;
    retiring.add(slot);
    log.warn(
      `Python worker ${slot.index} (pid ${slot.worker.label.pid}) ignored a cancellation for ${cancelGraceMs} ms; ` +
        "replacing it",
    );
    if (slots[slot.index] === slot) startSlot(slot.index);
    if (slot.live === 0) slot.worker.kill();
  }

  function pick(limit = concurrency): Slot | undefined {
    let best: Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot === undefined || !slot.ready || slot.inFlight >= limit) continue;
      if (best === undefined || slot.inFlight < best.inFlight) best = slot;
    }
    return best;
  }

  function drain(): void {
    while (nestedQueue.size > 0) {
      const slot = pick(Number.POSITIVE_INFINITY);
      if (slot === undefined) break;
      run(nestedQueue.shift() as Task, slot);
    }
    while (queue.size > 0) {
      const slot = pick();
      if (slot === undefined) return;
      run(queue.shift() as Task, slot);
    }
  }

  function settle(task: Task): void {
    task.state = "settled";
    task.unsubscribe?.();
    if (task.deadlineTimer !== undefined) clearTimeout(task.deadlineTimer);
  }

  function run(task: Task, slot: Slot): void {
    task.state = "running";
    task.slot = slot;
    slot.inFlight++;
    slot.live++;
    const queueMs = performance.now() - task.enqueuedAt;
    const listener: CallListener = {
      end(error, outcome) {
        slot.inFlight--;
        if (task.graceTimer !== undefined) clearTimeout(task.graceTimer);
        if (!task.abandoned) slot.live--;
        else if (log.debugEnabled) {
          const how = error === undefined ? "ok" : codeToName(error.code);
          log.debug(`Python worker ${slot.index} (pid ${slot.worker.label.pid}) ended cancelled call ${task.id}: ${how}`);
        }
        if (task.state !== "settled") {
          settle(task);
          if (error !== undefined) task.reject(error);
          else task.resolve({ ...(outcome as CallOutcome), queueMs });
        }
        if (slot.retiring) {
          if (slot.live === 0) slot.worker.kill();
        } else if (queue.size > 0 || nestedQueue.size > 0) drain();
      },
    };
    const events = task.events;
    if (events?.chunk !== undefined) listener.chunk = (v, p) => task.abandoned || events.chunk?.(v, p);
    if (events?.progress !== undefined) listener.progress = (f, m) => task.abandoned || events.progress?.(f, m);
    task.id = slot.worker.call(task.call, listener);
  }

  function abort(task: Task, error: ConnectError): void {
    if (task.state === "settled") return;
    if (task.state === "queued") {
      settle(task);
      (task.call.nested === true ? nestedQueue : queue).leave();
      task.reject(error);
      return;
    }
    const slot = task.slot as Slot;
    settle(task);
    task.abandoned = true;
    slot.live--;
    task.reject(error);
    slot.worker.cancel(task.id, cancelReason(error));
    task.graceTimer = setTimeout(() => recycle(slot), cancelGraceMs);
    if (slot.retiring && slot.live === 0) slot.worker.kill();
  }

  return {
    async start() {
      for (let i = 0; i < size; i++) startSlot(i);
      try {
        const lists = await Promise.all(slots.map((slot) => (slot as Slot).worker.ready));
        started = true;
        return lists[0] ?? [];
      } catch (error) {
        stopping = true;
        for (const slot of slots) slot?.worker.kill();
        await Promise.all(slots.map((slot) => slot?.worker.exited));
        throw error;
      }
    },

    call(call, events, cancel) {
      return new Promise<PoolOutcome>((resolve, reject) => {
        if (stopping) return reject(poolStopping());
        if (cancel?.reason !== undefined) return reject(cancel.reason);
        const task: Task = {
          call,
          events,
          resolve,
          reject,
          enqueuedAt: performance.now(),
          state: "queued",
          id: 0,
          abandoned: false,
        };
        const nested = call.nested === true;
        const slot = nested ? pick(Number.POSITIVE_INFINITY) : queue.size === 0 ? pick() : undefined;
        if (slot === undefined) {
          const waiting = nested ? nestedQueue : queue;
          if (waiting.size >= maxQueue) return reject(queueFull(maxQueue));
          waiting.push(task);
        }
        if (cancel !== undefined) task.unsubscribe = cancel.subscribe((reason) => abort(task, reason));
        // One timer per call, not an AbortController: this is on every call's path.
        const { timeoutMs } = call;
        if (timeoutMs !== null) task.deadlineTimer = setTimeout(() => abort(task, deadlinePassed(timeoutMs)), timeoutMs);
        if (slot !== undefined) run(task, slot);
      });
    },

    pickWorker() {
      const slot = pick(Number.POSITIVE_INFINITY);
      return slot === undefined ? undefined : refOf(slot);
    },

    object(ref, frame, timeoutMs) {
      const slot = slotOf.get(ref);
      if (slot === undefined || slot.gone) return Promise.reject(workerGone(ref.label));
      return new Promise<JsonValue>((resolve, reject) => {
        slot.inFlight++;
        const timer = setTimeout(() => reject(deadlinePassed(timeoutMs)), timeoutMs);
        slot.worker.object(frame, {
          end(error, outcome) {
            slot.inFlight--;
            clearTimeout(timer);
            if (error !== undefined) reject(error);
            else resolve((outcome as CallOutcome).value);
          },
        });
      });
    },

    load() {
      let inFlight = 0;
      for (const slot of slots) inFlight += slot?.live ?? 0;
      for (const slot of retiring) inFlight += slot.live;
      return { inFlight, queued: queue.size + nestedQueue.size };
    },

    async stop(timeoutMs) {
      stopping = true;
      for (const timer of restartTimers) clearTimeout(timer);
      restartTimers.clear();
      for (const task of [...nestedQueue.takeAll(), ...queue.takeAll()]) {
        settle(task);
        task.reject(poolStopping());
      }
      const all = [...slots.filter((s): s is Slot => s !== undefined), ...retiring];
      for (const slot of all) slot.worker.close();
      const exits = Promise.all(all.map((slot) => slot.worker.exited));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      if ((await Promise.race([exits, timedOut])) === "timeout") {
        if (timeoutMs > 0) log.warn(`Python workers did not stop within ${timeoutMs} ms; killing them`);
        for (const slot of all) slot.worker.kill();
        await exits;
      }
      clearTimeout(timer);
    },
  };
}
