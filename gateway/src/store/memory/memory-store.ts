import { BoundedCache } from "../../util/bounded-cache.js";
import { resolveLimits } from "../../variables/limits.js";
import { planCommit } from "../../variables/plan-commit.js";
import type { VariableChange } from "../../variables/variable.js";
import { sessionExists, sessionIdTaken, sessionNotFound, storeClosed, tooManySessions, tooManySessionTools, tooManyVariables } from "../errors.js";
import { checkNames, checkNewSession, checkSessionTool, rememberEndedMsOf } from "../input-checks.js";
import { decodePageToken, encodePageToken, pageSizeOf } from "../page-token.js";
import { decodeSessionTool, decodeVariable, encodeSessionTool, readDeclaration } from "../record-codec.js";
import type { EndedSession, SessionRecord, Store, StoreOptions } from "../store.js";
import { type ChangeSource, pause, startWatch, WatcherCount } from "../watch-loop.js";
import { createMemoryRegistry } from "./memory-registry.js";
import { applyCommit, type MemorySession, wake } from "./memory-sessions.js";

/** How a session ended, as the memory store remembers it (idle time is counted when asked). */
type Ended = { reason: "expired"; orgId: string; ttlMs: number; lastUsedAt: number } | { reason: "cleaned"; orgId: string };

/** Options of the memory store. */
export interface MemoryStoreOptions extends StoreOptions {
  /** The clock, in milliseconds since the epoch; Date.now unless set (tests pass one they move by hand). */
  now?: () => number;
}

/**
 * The embedded store: everything in this process, with TTLs on the given clock. It is the
 * default of `npm start` and the reference the Redis stores are held to; web-standard, so it runs
 * on Workers too (where it is per isolate, not shared).
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const limits = resolveLimits(options.limits);
  const changeLogLength = options.changeLogLength ?? 100;
  const watchCheckMs = options.watchCheckMs ?? 1000;
  const sessions = new Map<string, MemorySession>();
  const watchers = new WatcherCount(limits.maxWatchers);
  const closed = new AbortController();
  const rememberEndedMs = rememberEndedMsOf(options);
  // Sessions that ended lately, so that NOT_FOUND can say how; at most as many as live ones.
  const ended = new BoundedCache<string, Ended>(limits.maxSessions, now);
  let incarnations = 0;

  const remove = (session: MemorySession) => {
    sessions.delete(session.record.id);
    wake(session);
  };
  /** The live session, or undefined (removing it, and remembering that it expired, if it did). */
  const live = (id: string): MemorySession | undefined => {
    if (closed.signal.aborted) throw storeClosed();
    const session = sessions.get(id);
    if (session !== undefined && session.record.expiresAt <= now()) {
      remove(session);
      const { orgId, ttlMs, expiresAt } = session.record;
      const left = expiresAt + rememberEndedMs - now();
      if (left > 0) ended.set(id, { reason: "expired", orgId, ttlMs, lastUsedAt: expiresAt - ttlMs }, left);
      return undefined;
    }
    return session;
  };
  /** How an absent session ended, if remembered. */
  const endedOf = (id: string): EndedSession | undefined => {
    const end = ended.get(id);
    if (end?.reason !== "expired") return end;
    return { reason: "expired", orgId: end.orgId, ttlMs: end.ttlMs, idleMs: now() - end.lastUsedAt };
  };
  /** The live session, extended by its TTL; NOT_FOUND when absent. */
  const use = (id: string): MemorySession => {
    const session = live(id);
    if (session === undefined) throw sessionNotFound(id, endedOf(id));
    session.record.expiresAt = now() + session.record.ttlMs;
    return session;
  };
  const sweep = () => {
    for (const session of [...sessions.values()]) live(session.record.id);
  };
  const copy = (record: SessionRecord): SessionRecord => ({ ...record, metadata: { ...record.metadata } });
  const declarations = (session: MemorySession) => (name: string) => {
    const text = session.variables.get(name);
    return text === undefined ? undefined : readDeclaration(text);
  };
  const commitSettings = (log: boolean) => ({ maxVariables: limits.maxVariablesPerSession, changeLogLength, log });

  const changes = (id: string): ChangeSource => ({
    async begin(names, snapshot) {
      const session = live(id);
      if (session === undefined) return sessionNotFound(id, endedOf(id));
      const picked = names ?? [...session.variables.keys()].sort();
      const variables = snapshot
        ? picked.flatMap((name) => {
            const text = session.variables.get(name);
            return text === undefined ? [] : [decodeVariable(name, text)];
          })
        : [];
      return { variables, sequence: session.sequence, incarnation: session.incarnation };
    },
    async read(after, incarnation, signal) {
      for (;;) {
        if (signal.aborted) return [];
        const session = live(id);
        if (session === undefined || session.incarnation !== incarnation) return "ended";
        const fresh = session.log.filter((change) => change.sequence > after);
        if (fresh.length > 0) {
          return fresh.map((c): VariableChange => ({ kind: c.kind, variable: decodeVariable(c.name, c.text), sequence: c.sequence }));
        }
        // Wait for a change, the end of the session, or a periodic check of its expiry.
        const waiter = new AbortController();
        const done = () => waiter.abort();
        session.waiters.add(done);
        signal.addEventListener("abort", done);
        await pause(watchCheckMs, waiter.signal);
        session.waiters.delete(done);
        signal.removeEventListener("abort", done);
      }
    },
  });

  return {
    ...createMemoryRegistry(now),

    async createSession(input) {
      const { id, orgId, metadata, ttlMs } = checkNewSession(input, limits);
      const plan = planCommit({ writes: input.variables ?? [] }, () => undefined, limits);
      if (plan.writes.length > limits.maxVariablesPerSession) throw tooManyVariables(id, limits.maxVariablesPerSession);
      if (live(id) !== undefined) throw sessionExists(id);
      const previous = ended.get(id);
      if (previous !== undefined && previous.orgId !== orgId) throw sessionIdTaken(id);
      if (sessions.size >= limits.maxSessions) sweep();
      if (sessions.size >= limits.maxSessions) throw tooManySessions(limits.maxSessions);
      const at = now();
      const session: MemorySession = {
        record: { id, orgId, metadata, createdAt: at, ttlMs, expiresAt: at + ttlMs },
        incarnation: String(++incarnations),
        variables: new Map(),
        tools: new Map(),
        sequence: 0,
        log: [],
        waiters: new Set(),
      };
      const { variables } = applyCommit(session, plan, at, commitSettings(false));
      sessions.set(id, session);
      ended.delete(id);
      return { session: copy(session.record), variables };
    },
    async getSession(id) {
      const session = live(id);
      return session && copy(session.record);
    },
    async touchSession(id) {
      const session = live(id);
      if (session === undefined) return undefined;
      return copy(use(id).record);
    },
    async endedSession(id) {
      return live(id) === undefined ? endedOf(id) : undefined;
    },
    async deleteSession(id) {
      const session = live(id);
      if (session === undefined) return { removed: false, variablesRemoved: 0 };
      remove(session);
      ended.set(id, { reason: "cleaned", orgId: session.record.orgId }, rememberEndedMs);
      return { removed: true, variablesRemoved: session.variables.size };
    },
    async listSessions(page = {}) {
      const after = decodePageToken(page.pageToken);
      const size = pageSizeOf(page.pageSize);
      sweep();
      const ids = [...sessions.keys()].filter((id) => id > after).sort();
      const picked = ids.slice(0, size);
      return {
        sessions: picked.map((id) => copy((sessions.get(id) as MemorySession).record)),
        nextPageToken: ids.length > size ? encodePageToken(picked[picked.length - 1]) : "",
      };
    },
    async countSessions() {
      sweep();
      return sessions.size;
    },

    async getVariable(sessionId, name) {
      checkNames([name], limits);
      const text = use(sessionId).variables.get(name);
      return text === undefined ? undefined : decodeVariable(name, text);
    },
    async getVariables(sessionId, names) {
      checkNames(names, limits);
      const { variables } = use(sessionId);
      return names.map((name) => {
        const text = variables.get(name);
        return text === undefined ? undefined : decodeVariable(name, text);
      });
    },
    async listVariables(sessionId) {
      const { variables } = use(sessionId);
      return [...variables.keys()].sort().map((name) => decodeVariable(name, variables.get(name) as string));
    },
    async commit(sessionId, commit) {
      const session = use(sessionId);
      const plan = planCommit(commit, declarations(session), limits);
      return applyCommit(session, plan, now(), commitSettings(true));
    },
    watch(sessionId, options = {}) {
      return startWatch(sessionId, changes(sessionId), options, { watchers, changeLogLength, closed: closed.signal });
    },

    async setAffinity(sessionId, runtimeId, options = {}) {
      const { record } = use(sessionId);
      if (!(options.ifAbsent && record.runtimeId !== undefined)) record.runtimeId = runtimeId;
      return record.runtimeId as string;
    },
    async clearAffinity(sessionId) {
      delete use(sessionId).record.runtimeId;
    },
    async putSessionTool(sessionId, tool) {
      checkSessionTool(tool);
      const { tools } = use(sessionId);
      const name = tool.tool.name;
      if (!tools.has(name) && tools.size >= limits.maxSessionTools) throw tooManySessionTools(sessionId, limits.maxSessionTools);
      tools.set(name, encodeSessionTool(tool));
    },
    async listSessionTools(sessionId) {
      const { tools } = use(sessionId);
      return [...tools.keys()].sort().map((name) => decodeSessionTool(tools.get(name) as string));
    },

    async close() {
      closed.abort();
      for (const session of sessions.values()) wake(session);
    },
  };
}
