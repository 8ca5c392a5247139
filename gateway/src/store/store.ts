import type { RuntimeInfo, RuntimeLoad } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import type { ToolInfo } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Limits } from "../variables/limits.js";
import type { Variable, VariableChange, VariableCommit, VariableWrite } from "../variables/variable.js";

// Everything the gateway keeps, behind one interface with three implementations (memory, redis,
// upstash) that pass one conformance suite (conformance.ts). Web-standard types only: the gateway
// runs on Workers too. Times are milliseconds since the epoch; failures are ConnectErrors (errors.ts).

/** A session as the store keeps it. */
export interface SessionRecord {
  /** The session's id. */
  id: string;
  /** The org of the key that created it. */
  orgId: string;
  /** Free-form labels given at creation. */
  metadata: Record<string, string>;
  /** When it was created. */
  createdAt: number;
  /** Idle time after which it expires; every use starts this period again. */
  ttlMs: number;
  /** When it expires unless it is used before then. */
  expiresAt: number;
  /** The runtime the session is pinned to (it holds state there), if any. */
  runtimeId?: string;
}

/**
 * How a session that is no longer there ended, while the store remembers it (rememberEndedMs):
 * its TTL ran out without use, or it was cleaned up. NOT_FOUND messages say which.
 */
export type EndedSession =
  | {
      /** Its TTL ran out without use. */
      reason: "expired";
      /** The org it belonged to: only that org is told how it ended. */
      orgId: string;
      /** Its idle TTL. */
      ttlMs: number;
      /** How long ago it was last used. */
      idleMs: number;
    }
  | {
      /** It was removed by deleteSession (CleanupSession). */
      reason: "cleaned";
      /** The org it belonged to: only that org is told how it ended. */
      orgId: string;
    };

/** What creating a session takes. */
export interface NewSession {
  /** Id to use; a random UUID when absent. A live session with this id is ALREADY_EXISTS. */
  id?: string;
  /** The org of the key that creates it. */
  orgId: string;
  /** Free-form labels, bounded by the session metadata limits. */
  metadata?: Record<string, string>;
  /** Idle expiry in milliseconds (a positive integer). */
  ttlMs: number;
  /** Variables created with the session, all or nothing. */
  variables?: VariableWrite[];
}

/** One page of sessions, ordered by id. */
export interface SessionPage {
  /** The live sessions of this page. */
  sessions: SessionRecord[];
  /** Token for the next page; empty on the last one. */
  nextPageToken: string;
}

/** Which page of sessions to read. */
export interface PageRequest {
  /** At most this many; 0 or absent means 100; capped at 1000. */
  pageSize?: number;
  /** A previous page's nextPageToken; absent for the first page. */
  pageToken?: string;
}

/** What a commit did. */
export interface CommitResult {
  /** The variables written, after the write, in request order. */
  variables: Variable[];
  /** The names removed (deletes of variables that did not exist are not listed). */
  deleted: string[];
  /** The session's change counter after the commit. */
  sequence: number;
}

/** How to watch a session's variables. */
export interface WatchOptions {
  /** Only these names; absent or empty for all. */
  names?: string[];
  /** First yield the current value of each watched variable (kind "initial"). */
  includeInitial?: boolean;
  /** Ends the watch (and frees what it holds); the iteration then finishes without an error. */
  signal?: AbortSignal;
}

/** A tool registered for one session only, and where it is served. */
export interface SessionTool {
  /** The tool's description. */
  tool: ToolInfo;
  /** Base URL of the runtime that serves it. */
  endpoint: string;
}

/** What an API key grants. Keys are stored by their hash only. */
export interface ApiKeyRecord {
  /** The org the key belongs to. */
  orgId: string;
  /** The tools the key may call: "all", or a list of names. */
  allowedTools: "all" | string[];
  /** A label for people (e.g. "development key"); never the key itself. */
  label?: string;
}

/**
 * Sessions: created with a TTL that slides forward on every use; an expired session reads as
 * absent, and is remembered as expired (or cleaned up) for rememberEndedMs after it ended.
 */
export interface SessionStore {
  /** Creates a session and its initial variables atomically. ALREADY_EXISTS on a live id, RESOURCE_EXHAUSTED past maxSessions. */
  createSession(session: NewSession): Promise<{ session: SessionRecord; variables: Variable[] }>;
  /** The session, without extending it; undefined when it expired or never existed. */
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Extends the session (and every key it owns) by its TTL and returns it; undefined when absent. */
  touchSession(id: string): Promise<SessionRecord | undefined>;
  /** How an absent session ended, if the store still remembers it; undefined for a live session or one it never had (or forgot). */
  endedSession(id: string): Promise<EndedSession | undefined>;
  /** Removes the session, its variables, change feed, tools and affinity; ends its watches. */
  deleteSession(id: string): Promise<{ removed: boolean; variablesRemoved: number }>;
  /** Live sessions ordered by id, a page at a time. INVALID_ARGUMENT for a token this store did not issue. */
  listSessions(page?: PageRequest): Promise<SessionPage>;
  /** The number of live sessions. */
  countSessions(): Promise<number>;
}

/**
 * Variables. Every call checks the session (NOT_FOUND saying whether it expired, was cleaned up
 * or does not exist) and extends it, in the same round trip as the read or write.
 */
export interface VariableStore {
  /** One variable; undefined when the session has none by that name. */
  getVariable(sessionId: string, name: string): Promise<Variable | undefined>;
  /** Several variables, aligned with `names` (undefined where missing). */
  getVariables(sessionId: string, names: string[]): Promise<(Variable | undefined)[]>;
  /** Every variable of the session, ordered by name. */
  listVariables(sessionId: string): Promise<Variable[]>;
  /**
   * Applies writes then deletes atomically, after checking every rule and every expected
   * version: a stale version is ABORTED, a broken rule INVALID_ARGUMENT (or FAILED_PRECONDITION
   * for a type change, RESOURCE_EXHAUSTED past a bound), and then nothing changes.
   */
  commit(sessionId: string, commit: VariableCommit): Promise<CommitResult>;
  /**
   * Starts watching the session's variables and resolves once started (NOT_FOUND when the
   * session is absent): the iterable yields the snapshot (with includeInitial), then every change
   * committed after that, in order. It ends when the signal aborts or the session is deleted or
   * expires, and fails RESOURCE_EXHAUSTED if the reader falls further behind than the change log
   * keeps, or when maxWatchers watches are open.
   */
  watch(sessionId: string, options?: WatchOptions): Promise<AsyncIterable<VariableChange>>;
}

/** Session affinity and session-scoped tools: state that lives and dies with its session. */
export interface SessionStateStore {
  /** Pins the session to a runtime and returns the runtime it is pinned to (with ifAbsent, an earlier pin wins). */
  setAffinity(sessionId: string, runtimeId: string, options?: { ifAbsent?: boolean }): Promise<string>;
  /** Unpins the session. */
  clearAffinity(sessionId: string): Promise<void>;
  /** Registers (or replaces) a tool for one session; RESOURCE_EXHAUSTED past maxSessionTools. */
  putSessionTool(sessionId: string, tool: SessionTool): Promise<void>;
  /** The session's own tools, ordered by name. */
  listSessionTools(sessionId: string): Promise<SessionTool[]>;
}

/** The runtime registry: runtimes register with a TTL and stay listed while they heartbeat. */
export interface RuntimeRegistry {
  /** Registers or replaces a runtime for ttlMs; returns it with its times set (registeredAt kept on re-registration). */
  putRuntime(runtime: RuntimeInfo, ttlMs: number): Promise<RuntimeInfo>;
  /** Records its load and extends it by ttlMs; false when the runtime is not (or no longer) registered. */
  heartbeatRuntime(id: string, load: RuntimeLoad | undefined, ttlMs: number): Promise<boolean>;
  /** The live runtimes with their latest load, ordered by id. */
  listRuntimes(): Promise<RuntimeInfo[]>;
  /** Removes a runtime; false when it was not registered. */
  deleteRuntime(id: string): Promise<boolean>;
}

/** API keys, stored by hash (the caller hashes; the store never sees a key). */
export interface ApiKeyStore {
  /** Creates or replaces the record of a key hash. */
  putApiKey(keyHash: string, record: ApiKeyRecord): Promise<void>;
  /** The record of a key hash; undefined for an unknown key. */
  getApiKey(keyHash: string): Promise<ApiKeyRecord | undefined>;
  /** Removes a key; false when it was unknown. */
  deleteApiKey(keyHash: string): Promise<boolean>;
}

/** Everything the gateway keeps. */
export interface Store extends SessionStore, VariableStore, SessionStateStore, RuntimeRegistry, ApiKeyStore {
  /** Ends every watch and releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Options every implementation takes. */
export interface StoreOptions {
  /** Bounds to enforce; each absent one takes its default (variables/limits.ts). */
  limits?: Partial<Limits>;
  /** Changes kept per session for watchers that fall behind; 100 unless set. */
  changeLogLength?: number;
  /** How often an idle watch checks that its session still exists, in ms; 1000 unless set. */
  watchCheckMs?: number;
  /**
   * How long a session is remembered after it expired or was cleaned up, so that NOT_FOUND can
   * say so, in ms; 24 h unless set, at most 7 days. The memory store also remembers at most
   * maxSessions of them.
   */
  rememberEndedMs?: number;
}
