import { checkKeyHash, checkRuntime, checkTtl } from "../input-checks.js";
import { decodeApiKey, decodeRuntime, encodeApiKey, encodeLoad, encodeRuntime } from "../record-codec.js";
import type { ApiKeyStore, RuntimeRegistry } from "../store.js";
import { deleteRuntime, heartbeatRuntime, listRuntimes, putRuntime } from "./lua/registry-scripts.js";
import { int, list, text } from "./replies.js";
import type { ScriptedContext } from "./scripted-context.js";

/** The runtime registry and API keys of a Redis store. */
export function scriptedRegistry(ctx: ScriptedContext): RuntimeRegistry & ApiKeyStore {
  const { keys } = ctx;
  return {
    async putRuntime(runtime, ttlMs) {
      checkRuntime(runtime, ttlMs);
      const info = encodeRuntime(runtime);
      const load = encodeLoad(runtime.load);
      const reply = list(await ctx.run(putRuntime, [keys.runtime(runtime.id), keys.runtimes], [runtime.id, info, load, String(ttlMs)]), "a runtime");
      return decodeRuntime(info, load, int(reply[0], "a runtime"), int(reply[1], "a runtime"));
    },
    async heartbeatRuntime(id, load, ttlMs) {
      checkTtl("runtime", ttlMs);
      const known = await ctx.run(heartbeatRuntime, [keys.runtime(id), keys.runtimes], [id, encodeLoad(load), String(ttlMs)]);
      return known === 1;
    },
    async listRuntimes() {
      const reply = list(await ctx.run(listRuntimes, [keys.runtimes], [keys.runtime("")]), "runtimes");
      const runtimes = [];
      for (let i = 0; i + 4 < reply.length; i += 5) {
        const [, info, load, reg, hb] = reply.slice(i, i + 5);
        runtimes.push(decodeRuntime(text(info, "a runtime"), text(load, "a runtime"), int(reg, "a runtime"), int(hb, "a runtime")));
      }
      return runtimes.sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async deleteRuntime(id) {
      return (await ctx.run(deleteRuntime, [keys.runtime(id), keys.runtimes], [id])) === 1;
    },
    async putApiKey(keyHash, record) {
      checkKeyHash(keyHash);
      await ctx.call((r) => r.set(keys.apiKey(keyHash), encodeApiKey(record)));
    },
    async getApiKey(keyHash) {
      checkKeyHash(keyHash);
      const record = await ctx.call((r) => r.get(keys.apiKey(keyHash)));
      return record === null ? undefined : decodeApiKey(record);
    },
    async deleteApiKey(keyHash) {
      checkKeyHash(keyHash);
      return (await ctx.call((r) => r.del(keys.apiKey(keyHash)))) > 0;
    },
  };
}
