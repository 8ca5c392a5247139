import { Code, ConnectError } from "@connectrpc/connect";
import type { ApiKeyStore } from "../store/store.js";
import { BoundedCache } from "../util/bounded-cache.js";
import { hashApiKey, maxApiKeyLength } from "./api-keys.js";
import { callContextHeader, type CallContexts } from "./call-context.js";
import { malformedCredentials, missingCredentials, unknownKey } from "./errors.js";
import { anonymousOrg, type Principal } from "./principal.js";

/** Reads request headers by (lower-case) name: a fetch Headers, or an adapter's own view of them. */
export interface HeaderReader {
  /** The header's value; null when absent. */
  get(name: string): string | null;
}

/** Establishes who sent a request from its headers; rejects UNAUTHENTICATED (or UNAVAILABLE when the store is). */
export type Authenticate = (headers: HeaderReader) => Promise<Principal>;

/** Options of createAuthenticate. */
export interface AuthenticateOptions {
  /** Where the grants of API keys are (by hash). */
  keys: ApiKeyStore;
  /** The runtime credential. */
  runtimeKey: string;
  /** Reads toolbridge-call headers sent with the runtime credential. */
  callContexts: CallContexts;
  /** Requests without an Authorization header act as org "default" with every tool. */
  insecure: boolean;
  /** How long a known key's grant is reused. */
  keyCacheMs: number;
  /** How long an unknown key stays unknown without asking the store again. */
  unknownKeyCacheMs: number;
  /** Most keys cached. */
  maxEntries: number;
}

const runtimePrincipal: Principal = { kind: "runtime", orgId: "", allowedTools: new Set(), chain: [] };
const anonymousPrincipal: Principal = { kind: "anonymous", orgId: anonymousOrg, allowedTools: "all", chain: [] };
const bearer = /^bearer +(\S+) *$/i;

/**
 * The one authentication of the gateway, used by the Connect interceptor and the REST middleware.
 * `Authorization: Bearer <key>` is the runtime credential (with an optional toolbridge-call context)
 * or an API key. Key grants are cached (unknown keys too, briefly) so that a call costs no store
 * round trip, and concurrent first uses of a key share one look-up.
 */
export function createAuthenticate(options: AuthenticateOptions): Authenticate {
  const { keys, runtimeKey, callContexts, insecure } = options;
  const cache = new BoundedCache<string, Promise<Principal>>(options.maxEntries);

  const lookUp = (key: string): Promise<Principal> => {
    const found = (async (): Promise<Principal> => {
      const record = await keys.getApiKey(await hashApiKey(key));
      if (record === undefined) throw unknownKey();
      const allowedTools = record.allowedTools === "all" ? "all" : new Set(record.allowedTools);
      return { kind: "api-key", orgId: record.orgId, allowedTools, chain: [] };
    })();
    cache.set(key, found, options.keyCacheMs);
    found.catch((err: unknown) => {
      // Remember unknown keys briefly; a failing store is not remembered at all.
      if (err instanceof ConnectError && err.code === Code.Unauthenticated) cache.set(key, found, options.unknownKeyCacheMs);
      else cache.delete(key);
    });
    return found;
  };

  return async (headers) => {
    const header = headers.get("authorization");
    if (header === null) {
      if (insecure) return anonymousPrincipal;
      throw missingCredentials();
    }
    if (header.length > maxApiKeyLength + 16) throw malformedCredentials();
    const match = bearer.exec(header);
    if (match === null) throw malformedCredentials();
    const key = match[1];
    if (constantTimeEqual(key, runtimeKey)) {
      const context = headers.get(callContextHeader);
      return context === null ? runtimePrincipal : callContexts.principalOf(context);
    }
    return cache.get(key) ?? lookUp(key);
  };
}

// Compares without stopping at the first difference, so the time taken does not tell how much of
// the runtime key a guess got right.
function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i % (a.length || 1)) | 0) ^ b.charCodeAt(i);
  return diff === 0;
}
