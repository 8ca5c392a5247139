import { createClient } from "redis";
import { fromRedisFailure } from "./errors.js";
import { rememberEndedMsOf } from "./input-checks.js";
import { createScriptedStore, type ScriptedStoreOptions } from "./redis/scripted-store.js";
import { type BlockingStreamReader, type RawStreamEntry, type RedisRunner, runScript, ScriptShas } from "./redis/runner.js";
import type { Store } from "./store.js";

/** Options of the Redis-protocol store. */
export interface RedisStoreOptions extends ScriptedStoreOptions {
  /** redis:// or rediss:// URL of the Redis server (credentials may be in it). */
  url: string;
  /** Told about connection problems (messages only, never keys or values); ignored unless set. */
  onError?: (err: Error) => void;
}

/**
 * The store on a self-hosted Redis over the Redis protocol (the `redis` package; Node only).
 * One connection carries every command, pipelined: concurrent operations are written together
 * without waiting for each other's replies. Each watch blocks on a connection of its own (XREAD
 * BLOCK). While the connection is down, operations fail UNAVAILABLE instead of queueing; an
 * unreachable Redis at start rejects with UNAVAILABLE.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<Store> {
  // Checked before connecting, so that a bad option leaves no connection open.
  rememberEndedMsOf(options);
  const onError = options.onError ?? (() => {});
  // Reconnect after a lost connection, but fail at once if Redis cannot be reached at start.
  let connectedOnce = false;
  const reconnectStrategy = (retries: number, cause: Error) => (connectedOnce ? Math.min(50 * 2 ** retries, 2000) : cause);
  const client = createClient({ url: options.url, RESP: 2, disableOfflineQueue: true, socket: { reconnectStrategy } });
  client.on("error", onError);
  try {
    await client.connect();
  } catch (err) {
    throw fromRedisFailure(err);
  }
  connectedOnce = true;

  const send = (args: string[]): Promise<unknown> => client.sendCommand(args);
  const shas = new ScriptShas(async (source) => String(await send(["SCRIPT", "LOAD", source])));
  const evalsha = (sha: string, keys: string[], args: string[]) => send(["EVALSHA", sha, String(keys.length), ...keys, ...args]);

  const runner: RedisRunner = {
    script: (script, keys, args) => runScript(shas, evalsha, script, keys, args),
    get: async (key) => (await send(["GET", key])) as string | null,
    set: async (key, value) => void (await send(["SET", key, value])),
    del: async (key) => Number(await send(["DEL", key])),
    blockingReader(): BlockingStreamReader {
      const own = client.duplicate();
      own.on("error", onError);
      const connected = own.connect();
      let closed = false;
      return {
        async read(key, afterId, count, blockMs) {
          await connected;
          const reply = (await own.sendCommand(["XREAD", "COUNT", String(count), "BLOCK", String(blockMs), "STREAMS", key, afterId])) as
            | [string, RawStreamEntry[]][]
            | null;
          return reply === null ? [] : reply[0][1];
        },
        close() {
          if (closed) return;
          closed = true;
          void connected.then(() => own.destroy(), () => {});
        },
      };
    },
    async close() {
      client.destroy();
    },
  };
  return createScriptedStore(runner, options);
}
