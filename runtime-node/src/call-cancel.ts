import type { ConnectError } from "@connectrpc/connect";

/**
 * The cancellation of one call: the client went away or the server shuts down. It does the job of an
 * AbortSignal on the hot path without its cost (the first listener on a fresh AbortSignal costs several
 * microseconds, on every call); code that wants a real AbortSignal (fetch, timers) gets one from `signal`.
 */
export interface CallCancel {
  /** Why the call was cancelled; undefined while it was not. */
  readonly reason: ConnectError | undefined;
  /** Runs `listener` once when the call is cancelled; returns the function that unsubscribes it. */
  subscribe(listener: (reason: ConnectError) => void): () => void;
  /** An AbortSignal that aborts with the reason, made on first use. */
  readonly signal: AbortSignal;
}

/** The side that cancels. */
export interface CallCancelSource {
  /** Handed to whoever must stop. */
  readonly token: CallCancel;
  /** Cancels with this reason; later calls are ignored. */
  cancel(reason: ConnectError): void;
}

/** A CallCancel and its source. */
export function createCallCancel(): CallCancelSource {
  let reason: ConnectError | undefined;
  let listeners: ((reason: ConnectError) => void)[] | undefined;
  let controller: AbortController | undefined;
  const token: CallCancel = {
    get reason() {
      return reason;
    },
    subscribe(listener) {
      (listeners ??= []).push(listener);
      return () => {
        const i = listeners?.indexOf(listener) ?? -1;
        if (i >= 0) listeners?.splice(i, 1);
      };
    },
    get signal() {
      if (controller === undefined) {
        controller = new AbortController();
        if (reason !== undefined) controller.abort(reason);
      }
      return controller.signal;
    },
  };
  return {
    token,
    cancel(why) {
      if (reason !== undefined) return;
      reason = why;
      const run = listeners;
      listeners = undefined;
      if (run !== undefined) for (const listener of run) listener(why);
      controller?.abort(why);
    },
  };
}

/** A CallCancel that follows an AbortSignal (a Connect handler's), with `toError` turning its reason into an error. */
export function cancelFromSignal(signal: AbortSignal, toError: (reason: unknown) => ConnectError): CallCancel {
  const source = createCallCancel();
  let listening = false;
  const onAbort = () => source.cancel(toError(signal.reason));
  return {
    get reason() {
      if (signal.aborted && source.token.reason === undefined) onAbort();
      return source.token.reason;
    },
    subscribe(listener) {
      if (!listening && !signal.aborted) {
        listening = true;
        signal.addEventListener("abort", onAbort, { once: true });
      }
      const unsubscribe = source.token.subscribe(listener);
      return () => {
        unsubscribe();
      };
    },
    get signal() {
      return signal;
    },
  };
}

/** A CallCancel that fires when any of `tokens` does; `unlink` stops listening to them (call it when done). */
export function linkCancel(...tokens: CallCancel[]): { token: CallCancel; unlink(): void } {
  const source = createCallCancel();
  const unsubscribes: (() => void)[] = [];
  for (const token of tokens) {
    if (token.reason !== undefined) source.cancel(token.reason);
    else unsubscribes.push(token.subscribe(source.cancel));
  }
  return {
    token: source.token,
    unlink() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      unsubscribes.length = 0;
    },
  };
}
