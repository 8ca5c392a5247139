import { ConnectError } from "@connectrpc/connect";
import type { Variable, VariableChange } from "../variables/variable.js";
import type { CloseSignal } from "./close-signal.js";
import { tooManyWatchers, watchFellBehind } from "./errors.js";
import type { WatchOptions } from "./store.js";

/** Where a watch starts: the watched variables now, and the change counter they were read at. */
export interface WatchStart {
  /** The watched variables (every one when no names were given), when a snapshot was asked for. */
  variables: Variable[];
  /** The session's change counter at the snapshot. */
  sequence: number;
  /** Identifies this life of the session: a deleted and re-created session has another. */
  incarnation: string;
}

/** How an implementation reads its change feed for one watch; startWatch does the rest. */
export interface ChangeSource {
  /** The start of the watch; the NOT_FOUND to throw (saying how it ended) when the session is absent. */
  begin(names: string[] | undefined, snapshot: boolean): Promise<WatchStart | ConnectError>;
  /**
   * Changes after `after`, in order, waiting a while for some: [] when none came in time,
   * "ended" when the session is gone or is another incarnation. Returns (or throws) early when
   * `signal` aborts.
   */
  read(after: number, incarnation: string, signal: AbortSignal): Promise<VariableChange[] | "ended">;
  /** Frees what the watch holds (a connection); called once, when the watch ends. */
  end?(): void;
}

/** Counts open watches against a bound. */
export class WatcherCount {
  #open = 0;
  /** Creates a counter allowing `max` watches at once. */
  constructor(private readonly max: number) {}
  /** Takes a place; RESOURCE_EXHAUSTED when all are taken. */
  acquire(): void {
    if (this.#open >= this.max) throw tooManyWatchers(this.max);
    this.#open++;
  }
  /** Gives a place back. */
  release(): void {
    this.#open--;
  }
}

/** What every watch of one store shares. */
export interface WatchContext {
  /** The bound on open watches. */
  watchers: WatcherCount;
  /** Changes the feed keeps, for the fell-behind message. */
  changeLogLength: number;
  /** Aborts when the store closes. */
  closed: CloseSignal;
}

/**
 * Starts a watch: takes a watcher place, reads the start (NOT_FOUND when the session is absent)
 * and returns the feed: the snapshot (when asked), then every change in order, filtered by name.
 * It ends on abort, on store close and when the session ends; it throws RESOURCE_EXHAUSTED if
 * the feed moved on past changes this reader has not seen. Buffering is bounded by what one
 * read returns: the next read happens only when the reader has taken the last change.
 */
export async function startWatch(
  sessionId: string,
  source: ChangeSource,
  options: WatchOptions,
  context: WatchContext,
): Promise<AsyncIterable<VariableChange>> {
  context.watchers.acquire();
  const stop = new AbortController();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    stop.abort();
    options.signal?.removeEventListener("abort", end);
    context.closed.removeEventListener("abort", end);
    context.watchers.release();
    source.end?.();
  };
  options.signal?.addEventListener("abort", end);
  context.closed.addEventListener("abort", end);
  if (options.signal?.aborted || context.closed.aborted) end();

  const names = options.names && options.names.length > 0 ? new Set(options.names) : undefined;
  let start: WatchStart | ConnectError | undefined;
  try {
    start = ended ? undefined : await source.begin(names && [...names], options.includeInitial ?? false);
  } catch (err) {
    end();
    throw err;
  }
  if (start === undefined || start instanceof ConnectError) {
    const aborted = ended;
    end();
    if (aborted) return (async function* () {})();
    throw start;
  }
  const { variables, incarnation } = start;
  let cursor = start.sequence;

  const feed = (async function* (): AsyncGenerator<VariableChange> {
    try {
      if (options.includeInitial) {
        for (const variable of variables) yield { kind: "initial", variable, sequence: cursor };
      }
      while (!stop.signal.aborted) {
        let changes: VariableChange[] | "ended";
        try {
          changes = await source.read(cursor, incarnation, stop.signal);
        } catch (err) {
          if (stop.signal.aborted) return;
          throw err;
        }
        if (changes === "ended") return;
        for (const change of changes) {
          if (stop.signal.aborted) return;
          if (change.sequence !== cursor + 1) throw watchFellBehind(sessionId, context.changeLogLength);
          cursor = change.sequence;
          if (names === undefined || names.has(change.variable.name)) yield change;
        }
      }
    } finally {
      end();
    }
  })();
  // return() on a generator that never started skips its finally: end the watch here too.
  const iterator: AsyncIterableIterator<VariableChange> = {
    next: () => feed.next(),
    return: (value?: unknown) => {
      end();
      return feed.return(value as undefined);
    },
    throw: (err?: unknown) => {
      end();
      return feed.throw(err);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
