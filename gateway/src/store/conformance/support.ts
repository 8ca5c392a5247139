import { ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import type { Store, StoreOptions } from "../store.js";

/** How the conformance suite makes stores of one implementation. */
export interface ConformanceHarness {
  /** A fresh store with no data of any other store (its own namespace). */
  create(options?: StoreOptions): Promise<Store>;
  /** Another instance over the same data as `store`, like a second gateway; the memory store returns itself. */
  sibling(store: Store): Promise<Store>;
  /** Lets `ms` of store time pass: moves a fake clock, or waits in real time for a real Redis. */
  elapse(ms: number): Promise<void>;
  /** A TTL for expiry tests: long enough to survive a few round trips, short enough to wait out. */
  ttlMs: number;
  /** The keys a session left in the backing Redis (not through the store), to check expiry leaves none. */
  sessionKeys?(store: Store, sessionId: string): Promise<string[]>;
}

/** The stores of one test, closed after it. */
export interface Stores {
  /** The implementation's harness. */
  harness: ConformanceHarness;
  /** Stores opened by the current test. */
  opened: Store[];
  /** A fresh store (watches check their session every 50 ms unless the options say otherwise). */
  open(options?: StoreOptions): Promise<Store>;
  /** A second instance over the same data. */
  sibling(store: Store): Promise<Store>;
}

/** Polls `check` every 10 ms until it passes, for at most `timeoutMs`. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** The ConnectError a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    return err as ConnectError;
  }
  throw new Error("expected the promise to reject");
}

/** The next item of an iterator, failing the test if none comes within `timeoutMs`. */
export async function next<T>(iterator: AsyncIterator<T>, timeoutMs = 3000): Promise<IteratorResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no watch event within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([iterator.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `count` items of an iterator, in order. */
export async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  while (items.length < count) {
    const result = await next(iterator);
    if (result.done) throw new Error(`the watch ended after ${items.length} of ${count} events`);
    items.push(result.value);
  }
  return items;
}
