import { Redis } from "@upstash/redis/cloudflare";
import { createScriptedStore, type ScriptedStoreOptions } from "./redis/scripted-store.js";
import { type RedisRunner, runScript, ScriptShas } from "./redis/runner.js";
import type { Store } from "./store.js";

/** Options of the Upstash (REST) store. */
export interface UpstashStoreOptions extends ScriptedStoreOptions {
  /** UPSTASH_REDIS_REST_URL: the database's REST URL (or the local front of infra/upstash-rest). */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN. */
  token: string;
  /** Retries of requests that fail to reach the server; the client's default (5, backing off) unless set. */
  retry?: false | { retries?: number; backoff?: (retryCount: number) => number };
}

/**
 * The store on Redis through Upstash's REST API (@upstash/redis), for Workers and for Node. The
 * client batches concurrent commands into one /pipeline request. REST has no blocking reads, so
 * watches poll their stream every pollMs.
 */
export function createUpstashStore(options: UpstashStoreOptions): Store {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    retry: options.retry,
    // Replies are read as the raw strings the scripts return, not parsed as JSON.
    automaticDeserialization: false,
    enableTelemetry: false,
  });
  const shas = new ScriptShas((source) => redis.scriptLoad(source));
  const evalsha = (sha: string, keys: string[], args: string[]) => redis.evalsha(sha, keys, args);
  const runner: RedisRunner = {
    script: (script, keys, args) => runScript(shas, evalsha, script, keys, args),
    get: (key) => redis.get<string>(key),
    set: async (key, value) => void (await redis.set(key, value)),
    del: (key) => redis.del(key),
    async close() {},
  };
  return createScriptedStore(runner, options);
}
