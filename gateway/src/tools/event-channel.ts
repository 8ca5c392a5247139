/**
 * A one-producer, one-consumer channel of a streaming gateway tool's events: chunks in order with
 * back-pressure (send waits while `capacity` are unread), progress reports that never wait (a report
 * replaces an unread report just before it, so a chatty tool cannot fill memory), then an end or a
 * failure.
 */
export interface EventChannel<T> {
  /** Queues an item; resolves once the queue has room again. */
  send(item: T): Promise<void>;
  /** Queues a progress report, replacing an unread report that is last in the queue. */
  report(item: T): void;
  /** Ends the channel after the queued items. */
  close(): void;
  /** Ends the channel with an error after the queued items. */
  fail(error: unknown): void;
  /** The next item; done after close; rejects after fail. */
  next(): Promise<IteratorResult<T, undefined>>;
}

/** An EventChannel holding at most `capacity` unread items (plus progress reports). */
export function createEventChannel<T>(capacity = 16): EventChannel<T> {
  const queue: { item: T; progress: boolean }[] = [];
  let chunks = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wakeReader: (() => void) | undefined;
  let wakeWriters: (() => void)[] = [];

  const wake = () => {
    const reader = wakeReader;
    wakeReader = undefined;
    reader?.();
  };
  const room = () => chunks < capacity;

  return {
    send(item) {
      queue.push({ item, progress: false });
      chunks++;
      wake();
      if (room()) return Promise.resolve();
      return new Promise<void>((resolve) => wakeWriters.push(resolve));
    },
    report(item) {
      const last = queue[queue.length - 1];
      if (last?.progress) last.item = item;
      else queue.push({ item, progress: true });
      wake();
    },
    close() {
      ended = true;
      wake();
    },
    fail(error) {
      failure ??= { error };
      ended = true;
      wake();
    },
    async next() {
      for (;;) {
        const entry = queue.shift();
        if (entry !== undefined) {
          if (!entry.progress) chunks--;
          if (room() && wakeWriters.length > 0) {
            const writers = wakeWriters;
            wakeWriters = [];
            for (const writer of writers) writer();
          }
          return { done: false, value: entry.item };
        }
        if (failure !== undefined) throw failure.error;
        if (ended) return { done: true, value: undefined };
        await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    },
  };
}
