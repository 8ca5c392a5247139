/** A map whose entries expire, holding at most a fixed number: past it, the oldest entry goes. */
export interface ExpiringCache<K, V> {
  /** The live value for `key`, or undefined. */
  get(key: K): V | undefined;
  /** Keeps `value` for `ttlMs`. */
  set(key: K, value: V, ttlMs: number): void;
  /** Forgets `key`. */
  delete(key: K): void;
  /** Entries held, live or not yet swept. */
  readonly size: number;
}

/**
 * An ExpiringCache of at most `maxEntries`, on the clock `now` (ms). Eviction is by insertion order, which is
 * enough for what it holds: verified tokens and signed call contexts that all live seconds to minutes.
 */
export function createExpiringCache<K, V>(maxEntries: number, now: () => number = Date.now): ExpiringCache<K, V> {
  const entries = new Map<K, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, ttlMs) {
      entries.delete(key);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { value, expiresAt: now() + ttlMs });
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
