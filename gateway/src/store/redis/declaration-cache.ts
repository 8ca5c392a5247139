import type { StoredDeclaration } from "../record-codec.js";

/**
 * What this gateway last saw declared for each variable (type and constraints), so a write can be
 * checked before its one round trip. It is only a guess: the commit script verifies it
 * atomically and answers with the truth when it is stale. Bounded; the oldest entries go first.
 */
export class DeclarationCache {
  #entries = new Map<string, StoredDeclaration>();
  /** Creates a cache holding at most `max` declarations. */
  constructor(private readonly max = 10_000) {}
  /** The last declaration seen, if any. */
  get(sessionId: string, name: string): StoredDeclaration | undefined {
    return this.#entries.get(`${sessionId}\n${name}`);
  }
  /** Remembers a declaration seen in a read or a write. */
  set(sessionId: string, name: string, declaration: StoredDeclaration): void {
    const key = `${sessionId}\n${name}`;
    this.#entries.delete(key);
    this.#entries.set(key, declaration);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value as string);
  }
  /** Forgets a deleted variable. */
  forget(sessionId: string, name: string): void {
    this.#entries.delete(`${sessionId}\n${name}`);
  }
}
