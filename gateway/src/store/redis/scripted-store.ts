import { resolveLimits } from "../../variables/limits.js";
import { createCloseSignal } from "../close-signal.js";
import { rememberEndedMsOf } from "../input-checks.js";
import type { Store, StoreOptions } from "../store.js";
import { storeKeys } from "./keys.js";
import type { RedisRunner } from "./runner.js";
import { scriptedContext } from "./scripted-context.js";
import { scriptedRegistry } from "./scripted-registry.js";
import { scriptedSessions } from "./scripted-sessions.js";
import { scriptedVariables } from "./scripted-variables.js";

/** Options of both Redis stores. */
export interface ScriptedStoreOptions extends StoreOptions {
  /** Prefix of every key, so several deployments (or tests) can share one Redis; "tb:" unless set. */
  prefix?: string;
  /** How often a watch polls its stream when the client cannot block (REST), in ms; 100 unless set. */
  pollMs?: number;
}

/**
 * A Store on Redis through any client that can run scripts (see RedisRunner). Every operation is
 * one script, so it is one round trip and atomic: the session check, the TTL slide of every key
 * of the session and the read or write happen together. Web-standard: it runs on Workers too.
 */
export function createScriptedStore(runner: RedisRunner, options: ScriptedStoreOptions = {}): Store {
  const closed = createCloseSignal();
  const ctx = scriptedContext(runner, storeKeys(options.prefix ?? "tb:"), resolveLimits(options.limits), {
    changeLogLength: options.changeLogLength ?? 100,
    watchCheckMs: options.watchCheckMs ?? 1000,
    pollMs: options.pollMs ?? 100,
    rememberEndedMs: rememberEndedMsOf(options),
    closed: closed.signal,
  });
  return {
    ...scriptedSessions(ctx),
    ...scriptedVariables(ctx),
    ...scriptedRegistry(ctx),
    async close() {
      if (closed.signal.aborted) return;
      closed.close();
      await runner.close();
    },
  };
}
