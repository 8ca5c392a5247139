import { allRuntimesDown, noRuntimeServes, noRuntimeUp } from "./errors.js";
import type { DirectorySnapshot, RuntimeEntry } from "./directory.js";

/** Options of createRuntimePicker. */
export interface PickerOptions {
  /** How long a runtime that refused a connection is skipped. */
  markDownMs: number;
}

/** What to prefer and what to avoid when picking. */
export interface PickRequest {
  /** The session's pinned runtime: chosen when it serves the tool and is up. */
  pinned?: string;
  /** Runtimes already tried for this call. */
  exclude?: ReadonlySet<string>;
}

/**
 * Chooses the runtime for each call: the session's pinned runtime first, else the least loaded
 * (this instance's own calls in flight plus the load of the latest heartbeat, per slot), skipping
 * runtimes that refused a connection lately. Counts and marks are this instance's own.
 */
export interface RuntimePicker {
  /** The runtime to call; NOT_FOUND when none serves the tool, UNAVAILABLE when all that do are down or tried. */
  pick(snapshot: DirectorySnapshot, tool: string, request?: PickRequest): RuntimeEntry;
  /** The least loaded live runtime, whatever it serves (objects, schemas); UNAVAILABLE when none is up. */
  pickAny(snapshot: DirectorySnapshot, request?: PickRequest): RuntimeEntry;
  /** Counts a call that starts on the runtime. */
  begin(runtimeId: string): void;
  /** Counts a call that ended on the runtime. */
  end(runtimeId: string): void;
  /** Skips the runtime for markDownMs. */
  markDown(runtimeId: string): void;
  /** True while the runtime is marked down. */
  isDown(runtimeId: string): boolean;
}

/** A RuntimePicker. */
export function createRuntimePicker(options: PickerOptions): RuntimePicker {
  const inFlight = new Map<string, number>();
  const downUntil = new Map<string, number>();
  let turn = 0;

  const isDown = (id: string): boolean => {
    const until = downUntil.get(id);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    downUntil.delete(id);
    return false;
  };

  /** The pinned runtime when it is a candidate and up, else the least loaded candidate; undefined when none is up. */
  function choose(candidates: readonly RuntimeEntry[], request: PickRequest): RuntimeEntry | undefined {
    const { pinned, exclude } = request;
    if (pinned !== undefined) {
      const entry = candidates.find((e) => e.id === pinned);
      if (entry !== undefined && !isDown(entry.id) && !exclude?.has(entry.id)) return entry;
    }
    // Start at a rotating position so runtimes with equal load take turns.
    const n = candidates.length;
    const start = turn++ % n;
    let best: RuntimeEntry | undefined;
    let bestScore = Infinity;
    for (let i = 0; i < n; i++) {
      const entry = candidates[(start + i) % n];
      if (exclude?.has(entry.id) || isDown(entry.id)) continue;
      const score = ((inFlight.get(entry.id) ?? 0) + entry.reportedLoad) / entry.slots;
      if (score < bestScore) {
        best = entry;
        bestScore = score;
      }
    }
    return best;
  }

  return {
    pick(snapshot, tool, request = {}) {
      const serving = snapshot.byTool.get(tool);
      if (serving === undefined || serving.length === 0) throw noRuntimeServes(tool);
      const best = choose(serving, request);
      if (best === undefined) throw allRuntimesDown(tool, serving.length);
      return best;
    },
    pickAny(snapshot, request = {}) {
      const best = snapshot.runtimes.length === 0 ? undefined : choose(snapshot.runtimes, request);
      if (best === undefined) throw noRuntimeUp(snapshot.runtimes.length);
      return best;
    },
    begin(id) {
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    },
    end(id) {
      const left = (inFlight.get(id) ?? 1) - 1;
      if (left <= 0) inFlight.delete(id);
      else inFlight.set(id, left);
    },
    markDown(id) {
      downUntil.set(id, Date.now() + options.markDownMs);
    },
    isDown,
  };
}
