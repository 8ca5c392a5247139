import type { Logger } from "../log.js";
import type { SessionRecord, SessionStateStore } from "../store/store.js";
import type { RuntimeDirectory, RuntimeEntry } from "./directory.js";
import { fromRuntimeFailure, neverReached, noObjects, objectsLost } from "./errors.js";
import type { RuntimePicker } from "./picker.js";

/** Options of createObjectRouter. */
export interface ObjectRouterOptions {
  /** The live runtimes. */
  directory: RuntimeDirectory;
  /** Chooses a runtime for a session's first object, and knows runtimes marked down. */
  picker: RuntimePicker;
  /** Where sessions are pinned. */
  state: SessionStateStore;
  /** Told about runtimes that refused. */
  log: Logger;
}

/**
 * Where the Python objects of a session are: on the runtime the session is pinned to, which holds
 * them in one of its workers. CreateInstance pins a session that is not pinned yet (or whose runtime
 * is gone) to the least loaded live runtime, before creating anything, so that every later call
 * finds the objects. A pinned runtime that is no longer registered, or refuses the connection, took
 * the objects with it: FAILED_PRECONDITION. Schemas are the same everywhere: any live runtime.
 * Failures of a call that reached a runtime pass through as routing/errors.ts maps them.
 */
export interface ObjectRouter {
  /** Runs a call where the session's objects are; NOT_FOUND when it has none anywhere. */
  onObjects<T>(session: SessionRecord, what: string, call: (runtime: RuntimeEntry) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** True when the session is pinned to a runtime (it may have objects). */
  hasPlace(session: SessionRecord): boolean;
  /** Runs CreateInstance: on the pinned runtime when it is live, else on a live runtime the session is pinned to first. */
  create<T>(session: SessionRecord, call: (runtime: RuntimeEntry) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Runs a call on any live runtime, trying the next when one refuses the connection. */
  anywhere<T>(what: string, call: (runtime: RuntimeEntry) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** An ObjectRouter. */
export function createObjectRouter(options: ObjectRouterOptions): ObjectRouter {
  const { directory, picker, state, log } = options;

  async function run<T>(runtime: RuntimeEntry, what: string, call: (runtime: RuntimeEntry) => Promise<T>, signal?: AbortSignal): Promise<T> {
    picker.begin(runtime.id);
    try {
      return await call(runtime);
    } catch (err) {
      if (neverReached(err)) {
        picker.markDown(runtime.id);
        log.warn(`runtime '${runtime.id}' refused the connection; skipping it for a while`);
      }
      throw err;
    } finally {
      picker.end(runtime.id);
    }
  }

  const mapped = (err: unknown, runtime: RuntimeEntry, what: string, signal?: AbortSignal) => fromRuntimeFailure(err, runtime.id, what, signal);

  return {
    hasPlace(session) {
      return session.runtimeId !== undefined;
    },

    async onObjects(session, what, call, signal) {
      const pinned = session.runtimeId;
      if (pinned === undefined) throw noObjects(session.id);
      const runtime = (await directory.snapshot()).byId.get(pinned);
      if (runtime === undefined) throw objectsLost(session.id, pinned);
      try {
        return await run(runtime, what, call, signal);
      } catch (err) {
        if (neverReached(err)) throw objectsLost(session.id, pinned);
        throw mapped(err, runtime, what, signal);
      }
    },

    async create(session, call, signal) {
      const snapshot = await directory.snapshot();
      const pinned = session.runtimeId;
      const current = pinned === undefined ? undefined : snapshot.byId.get(pinned);
      if (current !== undefined && !picker.isDown(current.id)) {
        try {
          return await run(current, "CreateInstance", call, signal);
        } catch (err) {
          if (neverReached(err)) throw objectsLost(session.id, current.id);
          throw mapped(err, current, "CreateInstance", signal);
        }
      }
      // Not pinned, or its runtime is gone: pin to a live runtime first, then create there. A runtime
      // that refuses has seen nothing: pin to the next.
      const tried = new Set<string>();
      let ifAbsent = pinned === undefined;
      for (;;) {
        const choice = picker.pickAny(snapshot, { exclude: tried });
        tried.add(choice.id);
        const winner = await state.setAffinity(session.id, choice.id, { ifAbsent });
        // Another call pinned the session first: its runtime is where the objects go.
        const runtime = winner === choice.id ? choice : snapshot.byId.get(winner);
        if (runtime === undefined) throw objectsLost(session.id, winner);
        try {
          return await run(runtime, "CreateInstance", call, signal);
        } catch (err) {
          if (!neverReached(err)) throw mapped(err, runtime, "CreateInstance", signal);
          if (runtime !== choice) throw objectsLost(session.id, runtime.id);
          ifAbsent = false;
        }
      }
    },

    async anywhere(what, call, signal) {
      const snapshot = await directory.snapshot();
      const tried = new Set<string>();
      for (;;) {
        const runtime = picker.pickAny(snapshot, { exclude: tried });
        tried.add(runtime.id);
        try {
          return await run(runtime, what, call, signal);
        } catch (err) {
          if (!neverReached(err)) throw mapped(err, runtime, what, signal);
        }
      }
    },
  };
}
