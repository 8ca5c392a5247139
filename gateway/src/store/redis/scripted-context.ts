import type { Limits } from "../../variables/limits.js";
import type { CloseSignal } from "../close-signal.js";
import { fromRedisFailure, storeClosed } from "../errors.js";
import { DeclarationCache } from "./declaration-cache.js";
import type { StoreKeys } from "./keys.js";
import type { LuaScript, RedisRunner } from "./runner.js";

/** What the parts of a Redis store share. */
export interface ScriptedContext {
  /** The client. */
  runner: RedisRunner;
  /** The key layout. */
  keys: StoreKeys;
  /** The bounds to enforce. */
  limits: Limits;
  /** Changes kept per session stream. */
  changeLogLength: number;
  /** How long a watch waits before checking its session again, in ms. */
  watchCheckMs: number;
  /** How often a watch polls when the client cannot block, in ms. */
  pollMs: number;
  /** How long a session's tombstone outlives it, in ms. */
  rememberEndedMs: number;
  /** Declarations seen, to check writes before their one round trip. */
  declarations: DeclarationCache;
  /** Aborts when the store closes. */
  closed: CloseSignal;
  /** Local watches by session, ended at once when this instance deletes the session. */
  watches: Map<string, Set<() => void>>;
  /** Runs a script, with every client failure mapped to a ConnectError. */
  run(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  /** Runs a plain command the same way. */
  call<T>(command: (runner: RedisRunner) => Promise<T>): Promise<T>;
}

/** The shared context of one Redis store. */
export function scriptedContext(
  runner: RedisRunner,
  keys: StoreKeys,
  limits: Limits,
  settings: { changeLogLength: number; watchCheckMs: number; pollMs: number; rememberEndedMs: number; closed: CloseSignal },
): ScriptedContext {
  const call = async <T>(command: (runner: RedisRunner) => Promise<T>): Promise<T> => {
    if (settings.closed.aborted) throw storeClosed();
    try {
      return await command(runner);
    } catch (err) {
      throw fromRedisFailure(err);
    }
  };
  return {
    runner,
    keys,
    limits,
    ...settings,
    declarations: new DeclarationCache(),
    watches: new Map(),
    run: (script, scriptKeys, args) => call((r) => r.script(script, scriptKeys, args)),
    call,
  };
}
