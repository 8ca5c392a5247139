/**
 * A FIFO of calls waiting for a worker. A call that gives up while waiting stays in place and is skipped
 * later (`leave`), so leaving costs nothing; the array is compacted now and then.
 */
export interface WaitingCalls<T> {
  /** Calls still waiting. */
  readonly size: number;
  /** Adds a call at the back. */
  push(item: T): void;
  /** Takes the call at the front, or undefined. */
  shift(): T | undefined;
  /** A waiting call gave up; `isWaiting` must say false for it from now on. */
  leave(): void;
  /** Takes every call still waiting, front first. */
  takeAll(): T[];
}

/** WaitingCalls; `isWaiting` tells the calls still waiting from those that left. */
export function createWaitingCalls<T>(isWaiting: (item: T) => boolean): WaitingCalls<T> {
  let items: T[] = [];
  let head = 0;
  let size = 0;
  return {
    get size() {
      return size;
    },
    push(item) {
      items.push(item);
      size++;
    },
    shift() {
      while (head < items.length) {
        const item = items[head++];
        if (!isWaiting(item)) continue;
        size--;
        if (size === 0) {
          items = [];
          head = 0;
        } else if (head > 1024 && head * 2 > items.length) {
          items = items.slice(head);
          head = 0;
        }
        return item;
      }
      return undefined;
    },
    leave() {
      size--;
    },
    takeAll() {
      const all = items.slice(head).filter(isWaiting);
      items = [];
      head = 0;
      size = 0;
      return all;
    },
  };
}
