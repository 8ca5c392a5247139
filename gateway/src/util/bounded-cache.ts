/**
 * A map whose entries expire and whose size is bounded: past `maxEntries` the oldest entry goes.
 * It keeps look-ups that would otherwise be a store round trip (a key's grant, a session's org,
 * a verified token) off the hot path for a short while. Eviction is by insertion order, which is
 * enough for entries that all live a few seconds.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();

  /** A cache of at most maxEntries entries, on the given clock (ms). */
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live value for key, or undefined. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps value for ttlMs. */
  set(key: K, value: V, ttlMs: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  /** Forgets key. */
  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }

  /** Entries held, live or not yet swept. */
  get size(): number {
    return this.#entries.size;
  }
}
