// Where everything lives in Redis. A session's keys share the hash tag {id}, so they sit in one
// cluster slot; the session indexes, runtimes and keys are global. Every script names the keys it
// touches in KEYS except the listing scripts, which read sessions and runtimes they find in an
// index (fine on a single Redis and on Upstash; not on Redis Cluster).

/** The keys of one store namespace. */
export interface StoreKeys {
  /** The prefix every key starts with. */
  prefix: string;
  /**
   * The keys of one session, in the order the session scripts take them: hash, variables, tools,
   * changes, expiry index, id index, tombstone (how it ended; it outlives the session by rememberEndedMs).
   */
  session(id: string): string[];
  /** Sorted set: session id -> expiry (ms). */
  sessionExpiry: string;
  /** Sorted set: session ids, all scored 0, for paging by id. */
  sessionIds: string;
  /** Hash of one runtime: info, load, reg, hb. */
  runtime(id: string): string;
  /** Sorted set: runtime id -> expiry (ms). */
  runtimes: string;
  /** String: the record of one API key hash. */
  apiKey(hash: string): string;
}

/** The key layout under a prefix such as "tb:". */
export function storeKeys(prefix: string): StoreKeys {
  const sessionExpiry = `${prefix}sessions:expiry`;
  const sessionIds = `${prefix}sessions:ids`;
  return {
    prefix,
    session(id) {
      const base = `${prefix}{${id}}`;
      return [`${base}:s`, `${base}:v`, `${base}:t`, `${base}:w`, sessionExpiry, sessionIds, `${base}:x`];
    },
    sessionExpiry,
    sessionIds,
    runtime: (id) => `${prefix}rt:${id}`,
    runtimes: `${prefix}runtimes`,
    apiKey: (hash) => `${prefix}key:${hash}`,
  };
}
