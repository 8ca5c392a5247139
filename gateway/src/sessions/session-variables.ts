import type { Principal } from "../auth/principal.js";
import type { CommitResult, VariableStore, WatchOptions } from "../store/store.js";
import type { Variable, VariableChange, VariableCommit } from "../variables/variable.js";
import type { SessionAccess } from "./session-access.js";

/**
 * A session's variables as a caller may use them: every operation first checks that the session
 * is the caller's (cached; another org's session is NOT_FOUND, a call context's other session
 * PERMISSION_DENIED), then is one store call, whose rules and errors are the store's. The
 * VariableService and the context of gateway tools both go through it, so both isolate sessions the
 * same way.
 */
export interface SessionVariables {
  /** One variable; undefined when the session has none by that name. */
  get(principal: Principal, sessionId: string, name: string): Promise<Variable | undefined>;
  /** Several, aligned with `names`. */
  getMany(principal: Principal, sessionId: string, names: string[]): Promise<(Variable | undefined)[]>;
  /** Every variable, ordered by name. */
  list(principal: Principal, sessionId: string): Promise<Variable[]>;
  /** Writes then deletes, all or nothing. */
  commit(principal: Principal, sessionId: string, commit: VariableCommit): Promise<CommitResult>;
  /** Watches the session's variables (see VariableStore.watch). */
  watch(principal: Principal, sessionId: string, options: WatchOptions): Promise<AsyncIterable<VariableChange>>;
}

/** Options of createSessionVariables. */
export interface SessionVariablesOptions {
  /** The variables. */
  store: VariableStore;
  /** Session ownership. */
  sessions: SessionAccess;
}

/** SessionVariables over the store. */
export function createSessionVariables(options: SessionVariablesOptions): SessionVariables {
  const { store, sessions } = options;
  return {
    async get(principal, sessionId, name) {
      await sessions.check(principal, sessionId);
      return store.getVariable(sessionId, name);
    },
    async getMany(principal, sessionId, names) {
      await sessions.check(principal, sessionId);
      return store.getVariables(sessionId, names);
    },
    async list(principal, sessionId) {
      await sessions.check(principal, sessionId);
      return store.listVariables(sessionId);
    },
    async commit(principal, sessionId, commit) {
      await sessions.check(principal, sessionId);
      return store.commit(sessionId, commit);
    },
    async watch(principal, sessionId, watchOptions) {
      await sessions.check(principal, sessionId);
      return store.watch(sessionId, watchOptions);
    },
  };
}
