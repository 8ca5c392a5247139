// What a store's parts hold to learn that the store closed. Not an AbortSignal: workerd ties every
// AbortSignal to the request that made it, and a store made in one request serves many.

/** The part of AbortSignal a store's watches and calls read (an AbortSignal is one too). */
export interface CloseSignal {
  /** True once the store closed. */
  readonly aborted: boolean;
  /** Calls `listener` once when the store closes. */
  addEventListener(type: "abort", listener: () => void): void;
  /** Forgets a listener. */
  removeEventListener(type: "abort", listener: () => void): void;
}

/** A CloseSignal that any request may read and listen to, and the way to close it. */
export function createCloseSignal(): { signal: CloseSignal; close(): void } {
  const listeners = new Set<() => void>();
  let aborted = false;
  return {
    signal: {
      get aborted() {
        return aborted;
      },
      addEventListener: (_type, listener) => void (aborted || listeners.add(listener)),
      removeEventListener: (_type, listener) => void listeners.delete(listener),
    },
    close() {
      if (aborted) return;
      aborted = true;
      for (const listener of [...listeners]) listener();
      listeners.clear();
    },
  };
}
