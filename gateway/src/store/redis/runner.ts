/** A Lua script with a stable name (for messages) and its source. */
export interface LuaScript {
  /** Short name, e.g. "variables_commit". */
  name: string;
  /** The Lua source. */
  source: string;
}

/** One stream entry as Redis returns it: [id, [field, value, ...]]. */
export type RawStreamEntry = [string, string[]];

/**
 * What the Redis stores need from a client: scripts by EVALSHA, three plain commands, and
 * optionally a blocking stream read. One implementation per client library (`redis`, @upstash/redis).
 */
export interface RedisRunner {
  /** Runs a script with EVALSHA, loading it first (SCRIPT LOAD, once) and again after NOSCRIPT. */
  script(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  /** GET. */
  get(key: string): Promise<string | null>;
  /** SET. */
  set(key: string, value: string): Promise<void>;
  /** DEL; the number of keys removed. */
  del(key: string): Promise<number>;
  /**
   * Waits up to blockMs for entries after `afterId` (XREAD BLOCK on a connection of its own);
   * [] on timeout. Absent when the client cannot block (REST): the store polls instead.
   * Returns the reader to call; `close` frees its connection.
   */
  blockingReader?(): BlockingStreamReader;
  /** Releases connections. */
  close(): Promise<void>;
}

/** A blocking reader of one stream, holding a connection of its own. */
export interface BlockingStreamReader {
  /** XREAD COUNT count BLOCK blockMs STREAMS key afterId; [] on timeout. Rejects once closed. */
  read(key: string, afterId: string, count: number, blockMs: number): Promise<RawStreamEntry[]>;
  /** Closes the connection, failing a pending read. */
  close(): void;
}

/** Remembers the SHA-1 of each script and loads it once, sharing a load in progress. */
export class ScriptShas {
  #shas = new Map<string, Promise<string>>();
  /** Creates the cache around a SCRIPT LOAD function. */
  constructor(private readonly load: (source: string) => Promise<string>) {}
  /** The script's SHA-1, loading it the first time. */
  sha(script: LuaScript): Promise<string> {
    let sha = this.#shas.get(script.name);
    if (sha === undefined) {
      sha = this.load(script.source);
      sha.catch(() => this.#shas.delete(script.name));
      this.#shas.set(script.name, sha);
    }
    return sha;
  }
  /** Forgets a script, after Redis answered NOSCRIPT (a flush or a failover). */
  forget(script: LuaScript): void {
    this.#shas.delete(script.name);
  }
}

/** True for the error Redis gives for an unknown script SHA. */
export function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.includes("NOSCRIPT");
}

/** Runs a script through a cache of SHAs and an EVALSHA function, reloading it once after NOSCRIPT. */
export async function runScript(
  shas: ScriptShas,
  evalsha: (sha: string, keys: string[], args: string[]) => Promise<unknown>,
  script: LuaScript,
  keys: string[],
  args: string[],
): Promise<unknown> {
  try {
    return await evalsha(await shas.sha(script), keys, args);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    shas.forget(script);
    return evalsha(await shas.sha(script), keys, args);
  }
}
