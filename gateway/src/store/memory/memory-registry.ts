import type { RuntimeInfo, RuntimeLoad } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { decodeApiKey, decodeRuntime, encodeApiKey, encodeLoad, encodeRuntime } from "../record-codec.js";
import { checkKeyHash, checkRuntime, checkTtl } from "../input-checks.js";
import type { ApiKeyRecord, ApiKeyStore, RuntimeRegistry } from "../store.js";

interface RuntimeEntry {
  text: string;
  load: string;
  registeredAt: number;
  lastHeartbeatAt: number;
  expiresAt: number;
}

/** The runtime registry and API keys of the memory store, on the given clock. */
export function createMemoryRegistry(now: () => number): RuntimeRegistry & ApiKeyStore {
  const runtimes = new Map<string, RuntimeEntry>();
  const keys = new Map<string, string>();

  const live = (id: string): RuntimeEntry | undefined => {
    const entry = runtimes.get(id);
    if (entry !== undefined && entry.expiresAt <= now()) {
      runtimes.delete(id);
      return undefined;
    }
    return entry;
  };
  const decode = (e: RuntimeEntry) => decodeRuntime(e.text, e.load, e.registeredAt, e.lastHeartbeatAt);

  return {
    async putRuntime(runtime: RuntimeInfo, ttlMs: number) {
      checkRuntime(runtime, ttlMs);
      const at = now();
      const entry: RuntimeEntry = {
        text: encodeRuntime(runtime),
        load: encodeLoad(runtime.load),
        registeredAt: live(runtime.id)?.registeredAt ?? at,
        lastHeartbeatAt: at,
        expiresAt: at + ttlMs,
      };
      runtimes.set(runtime.id, entry);
      return decode(entry);
    },
    async heartbeatRuntime(id: string, load: RuntimeLoad | undefined, ttlMs: number) {
      checkTtl("runtime", ttlMs);
      const entry = live(id);
      if (entry === undefined) return false;
      const at = now();
      entry.load = encodeLoad(load);
      entry.lastHeartbeatAt = at;
      entry.expiresAt = at + ttlMs;
      return true;
    },
    async listRuntimes() {
      const ids = [...runtimes.keys()].sort();
      return ids.flatMap((id) => {
        const entry = live(id);
        return entry === undefined ? [] : [decode(entry)];
      });
    },
    async deleteRuntime(id: string) {
      const existed = live(id) !== undefined;
      runtimes.delete(id);
      return existed;
    },
    async putApiKey(keyHash: string, record: ApiKeyRecord) {
      checkKeyHash(keyHash);
      keys.set(keyHash, encodeApiKey(record));
    },
    async getApiKey(keyHash: string) {
      checkKeyHash(keyHash);
      const text = keys.get(keyHash);
      return text === undefined ? undefined : decodeApiKey(text);
    },
    async deleteApiKey(keyHash: string) {
      checkKeyHash(keyHash);
      return keys.delete(keyHash);
    },
  };
}
