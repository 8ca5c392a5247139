/** A push-to-pull bridge: a producer pushes events, an async iterator reads them in order. */
export interface EventQueue<T> extends AsyncIterable<T> {
  /** Adds an event; false when the backlog is already at its limit (the event is dropped) unless `force`. */
  push(event: T, force?: boolean): boolean;
  /** No more events: the reader finishes after the ones queued. */
  end(): void;
  /** The reader throws this after the events queued. */
  fail(error: unknown): void;
}

/** An EventQueue holding at most `maxBacklog` unread events, so a slow reader cannot grow memory without bound. */
export function createEventQueue<T>(maxBacklog: number): EventQueue<T> {
  let items: T[] = [];
  let head = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  return {
    push(event, force = false) {
      if (done) return true;
      if (!force && items.length - head >= maxBacklog) return false;
      items.push(event);
      notify();
      return true;
    },
    end() {
      done = true;
      notify();
    },
    fail(error) {
      if (done) return;
      failure = { error };
      done = true;
      notify();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (head < items.length) {
          const event = items[head];
          items[head++] = undefined as T;
          if (head === items.length) {
            items = [];
            head = 0;
          }
          yield event;
          continue;
        }
        if (done) {
          if (failure !== undefined) throw failure.error;
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
