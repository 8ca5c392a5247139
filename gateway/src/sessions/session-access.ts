import { Code, ConnectError } from "@connectrpc/connect";
import { sessionOutOfScope } from "../auth/errors.js";
import type { Principal } from "../auth/principal.js";
import { sessionNotFound } from "../store/errors.js";
import type { SessionRecord, SessionStore } from "../store/store.js";
import { BoundedCache } from "../util/bounded-cache.js";

/** Options of createSessionAccess. */
export interface SessionAccessOptions {
  /** The sessions. */
  store: SessionStore;
  /** How long a session's org is trusted without asking the store. */
  ownerCacheMs: number;
  /** Most sessions remembered. */
  maxEntries: number;
}

/**
 * Org isolation of sessions. A session of another org, live or ended, reads exactly like one that
 * does not exist (NOT_FOUND), so nothing tells a caller that it exists or existed. Ownership is cached briefly, so that a
 * variable operation costs one store round trip, not two.
 */
export interface SessionAccess {
  /** Resolves when the session is the principal's (from the cache when it can); NOT_FOUND otherwise. */
  check(principal: Principal, sessionId: string): Promise<void>;
  /** Extends the session and returns it; NOT_FOUND unless it is the principal's. */
  touch(principal: Principal, sessionId: string): Promise<SessionRecord>;
  /** The session without extending it; NOT_FOUND unless it is the principal's. */
  read(principal: Principal, sessionId: string): Promise<SessionRecord>;
  /** True when this instance knows (from its cache) that the session is the principal's. */
  known(principal: Principal, sessionId: string): boolean;
  /** Remembers who owns a session just created. */
  remember(session: SessionRecord): void;
  /** Forgets a session removed on this instance. */
  forget(sessionId: string): void;
}

/** A SessionAccess over the store. */
export function createSessionAccess(options: SessionAccessOptions): SessionAccess {
  const { store, ownerCacheMs } = options;
  const owners = new BoundedCache<string, string>(options.maxEntries);

  const scope = (principal: Principal, sessionId: string) => {
    if (sessionId === "") throw new ConnectError("session_id is required", Code.InvalidArgument);
    if (principal.sessionId && principal.sessionId !== sessionId) throw sessionOutOfScope();
  };
  const owned = async (principal: Principal, sessionId: string, record: SessionRecord | undefined): Promise<SessionRecord> => {
    if (record === undefined) {
      owners.delete(sessionId);
      // Only a miss asks how the session ended, and only its own org is told.
      const ended = await store.endedSession(sessionId);
      throw sessionNotFound(sessionId, ended?.orgId === principal.orgId ? ended : undefined);
    }
    if (record.orgId !== principal.orgId) throw sessionNotFound(sessionId);
    owners.set(sessionId, record.orgId, ownerCacheMs);
    return record;
  };

  return {
    async check(principal, sessionId) {
      scope(principal, sessionId);
      const owner = owners.get(sessionId);
      if (owner === principal.orgId) return;
      await owned(principal, sessionId, await store.getSession(sessionId));
    },
    async touch(principal, sessionId) {
      scope(principal, sessionId);
      return owned(principal, sessionId, await store.touchSession(sessionId));
    },
    async read(principal, sessionId) {
      scope(principal, sessionId);
      return owned(principal, sessionId, await store.getSession(sessionId));
    },
    known(principal, sessionId) {
      return owners.get(sessionId) === principal.orgId && !(principal.sessionId && principal.sessionId !== sessionId);
    },
    remember(session) {
      owners.set(session.id, session.orgId, ownerCacheMs);
    },
    forget(sessionId) {
      owners.delete(sessionId);
    },
  };
}
