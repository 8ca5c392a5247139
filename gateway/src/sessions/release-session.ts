import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "../log.js";
import type { RuntimeDirectory } from "../routing/directory.js";
import type { RuntimeClients } from "../routing/runtime-clients.js";

/** Options of createSessionReleaser. */
export interface SessionReleaserOptions {
  /** Finds the runtime by id. */
  directory: RuntimeDirectory;
  /** Its clients. */
  clients: RuntimeClients;
  /** The runtime credential. */
  runtimeKey: string;
  /** How long to wait for a runtime's answer. */
  timeoutMs: number;
  /** Told when a runtime could not release. */
  log: Logger;
}

/**
 * Tells the runtime a session is pinned to that the session is gone (RuntimeService.ReleaseSession),
 * so it frees the session's objects. Best effort: a runtime that is gone, does not implement it yet
 * (UNIMPLEMENTED), or fails, is logged; the session is removed either way. Resolves true when the
 * runtime confirmed.
 */
export function createSessionReleaser(options: SessionReleaserOptions): (runtimeId: string, sessionId: string) => Promise<boolean> {
  const { directory, clients, timeoutMs, log } = options;
  const headers = { authorization: `Bearer ${options.runtimeKey}` };
  return async (runtimeId, sessionId) => {
    const runtime = (await directory.snapshot()).byId.get(runtimeId);
    if (runtime === undefined) return false;
    try {
      await clients.get(runtime.url).runtime.releaseSession({ sessionId }, { headers, timeoutMs });
      return true;
    } catch (err) {
      const error = ConnectError.from(err);
      if (error.code === Code.Unimplemented) log.debug(`runtime '${runtimeId}' does not implement ReleaseSession yet`);
      else log.warn(`runtime '${runtimeId}' did not release session '${sessionId}': ${error.message}`);
      return false;
    }
  };
}
