import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "../log.js";
import type { DirectorySnapshot, RuntimeDirectory, RuntimeEntry } from "./directory.js";
import { connectionLost, fromRuntimeFailure, neverReached } from "./errors.js";
import type { RuntimePicker } from "./picker.js";

/** Options of createCallRouter. */
export interface CallRouterOptions {
  /** The live runtimes. */
  directory: RuntimeDirectory;
  /** Chooses among them. */
  picker: RuntimePicker;
  /** Told about runtimes marked down. */
  log: Logger;
}

/** A stream opened on a runtime: its first result is in, so it can no longer move to another runtime. */
export interface RoutedStream<T> {
  /** The runtime serving it. */
  runtime: RuntimeEntry;
  /** The stream, from its first message on; iterating it to the end (or leaving early) releases it. */
  messages: AsyncIterable<T>;
  /** Ends the call's count in flight if `messages` was never iterated; harmless otherwise. */
  release(): void;
}

/**
 * Runs calls on runtimes: picks one, and when its connection is refused (so the call cannot have
 * reached it) marks it down and tries the next. A call that may have reached a runtime is never
 * tried again (tools may have side effects), but a runtime that lost the connection during one is
 * marked down too, so the calls after it go elsewhere. Failures come back mapped by errors.ts.
 */
export interface CallRouter {
  /** The runtime a call of `tool` would go to now. */
  resolve(tool: string, pinned?: string): Promise<RuntimeEntry>;
  /** Runs a unary call; `signal` is the caller's (to tell its cancellation from a runtime going away). */
  unary<T>(tool: string, pinned: string | undefined, call: (runtime: RuntimeEntry) => Promise<T>, signal?: AbortSignal): Promise<{ value: T; runtime: RuntimeEntry }>;
  /** Opens a server stream; resolves once the runtime answered (its first message or its end). */
  stream<T>(tool: string, pinned: string | undefined, open: (runtime: RuntimeEntry) => AsyncIterable<T>, signal?: AbortSignal): Promise<RoutedStream<T>>;
}

// A snapshot older than this is read again before a call fails for want of a runtime, so a runtime
// that registered on another gateway instance a moment ago is found.
const recheckAfterMs = 100;

/** A CallRouter. */
export function createCallRouter(options: CallRouterOptions): CallRouter {
  const { directory, picker, log } = options;

  async function pick(tool: string, pinned: string | undefined, tried: Set<string>, snapshot: DirectorySnapshot) {
    try {
      return { runtime: picker.pick(snapshot, tool, { pinned, exclude: tried }), snapshot };
    } catch (err) {
      const retryable = err instanceof ConnectError && (err.code === Code.NotFound || err.code === Code.Unavailable);
      if (!retryable || Date.now() - snapshot.readAt < recheckAfterMs) throw err;
      const fresh = await directory.refresh();
      return { runtime: picker.pick(fresh, tool, { pinned, exclude: tried }), snapshot: fresh };
    }
  }

  const lost = (runtimeId: string) => {
    picker.markDown(runtimeId);
    log.warn(`lost the connection to runtime '${runtimeId}' during a call; skipping it for a while`);
  };

  /** Tries runtimes in turn; `keep` leaves a successful call counted in flight (a stream: its release ends it). */
  async function attempt<T>(
    tool: string,
    pinned: string | undefined,
    call: (runtime: RuntimeEntry) => Promise<T>,
    keep: boolean,
    signal: AbortSignal | undefined,
  ): Promise<{ value: T; runtime: RuntimeEntry }> {
    const tried = new Set<string>();
    let snapshot = await directory.snapshot();
    for (;;) {
      const picked = await pick(tool, pinned, tried, snapshot);
      const runtime = picked.runtime;
      snapshot = picked.snapshot;
      tried.add(runtime.id);
      picker.begin(runtime.id);
      try {
        const value = await call(runtime);
        if (!keep) picker.end(runtime.id);
        return { value, runtime };
      } catch (err) {
        picker.end(runtime.id);
        if (neverReached(err)) {
          picker.markDown(runtime.id);
          log.warn(`runtime '${runtime.id}' refused the connection; skipping it for a while`);
          continue;
        }
        if (connectionLost(err, signal)) lost(runtime.id);
        throw fromRuntimeFailure(err, runtime.id, tool, signal);
      }
    }
  }

  return {
    async resolve(tool, pinned) {
      const snapshot = await directory.snapshot();
      return (await pick(tool, pinned, new Set(), snapshot)).runtime;
    },

    unary(tool, pinned, call, signal) {
      return attempt(tool, pinned, call, false, signal);
    },

    async stream<T>(tool: string, pinned: string | undefined, open: (runtime: RuntimeEntry) => AsyncIterable<T>, signal?: AbortSignal) {
      const opened = async (runtime: RuntimeEntry) => {
        const iterator = open(runtime)[Symbol.asyncIterator]();
        return { iterator, first: await iterator.next() };
      };
      const { value, runtime } = await attempt(tool, pinned, opened, true, signal);
      const { iterator, first } = value;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        picker.end(runtime.id);
      };
      async function* messages(): AsyncGenerator<T> {
        let failed = false;
        try {
          if (first.done) return;
          yield first.value;
          for (;;) {
            const next = await iterator.next();
            if (next.done) return;
            yield next.value;
          }
        } catch (err) {
          failed = true;
          if (connectionLost(err, signal)) lost(runtime.id);
          throw fromRuntimeFailure(err, runtime.id, tool, signal);
        } finally {
          release();
          // Leaving early (the client went away): end the runtime's stream too.
          if (!failed && iterator.return) iterator.return().catch(() => {});
        }
      }
      return { runtime, messages: messages(), release };
    },
  };
}
