import { createExpiringCache } from "../util/expiring-cache.js";
import { invalidCallContext, invalidSessionToken } from "./access-errors.js";
import { createHs256, JwtError } from "./hs256.js";

// The two kinds of token a runtime reads, both HS256 JWTs signed with the runtime key (the gateway's format,
// gateway/src/auth/call-context.ts and session-token.ts):
// - a call context (`toolbridge-call` header, aud "toolbridge-call"): who a forwarded call runs for; the runtime
//   sends it back, unchanged, with the call's callbacks, and mints its own for nested and browser-direct calls;
// - a session token (Authorization: Bearer, aud "toolbridge-session"): a browser calling the runtime directly.

/** The header that carries a call's signed context. */
export const callContextHeader = "toolbridge-call";

/** The `aud` of call-context tokens. */
export const callContextAudience = "toolbridge-call";

/** The `aud` of session tokens. */
export const sessionTokenAudience = "toolbridge-session";

/** What a call context says (besides aud, iat, exp). */
export interface CallContextClaims {
  /** The org of the original caller. */
  readonly org: string;
  /** Its allowlist: "*" or tool names. */
  readonly tools: "*" | readonly string[];
  /** The session of the call; "" for none. */
  readonly sid: string;
  /** The tools on the call's path, outermost first, ending with the tool being called. */
  readonly chain: readonly string[];
  /** chain.length. */
  readonly depth: number;
}

/** What a session token says: its session, org and allowlist. */
export interface SessionClaims {
  readonly sid: string;
  readonly org: string;
  readonly tools: "*" | readonly string[];
}

/** Options of createCallContexts. */
export interface CallContextsOptions {
  /** The runtime key: signs and verifies both kinds of token. */
  key: string;
  /** How long a minted call context lives; it must outlast the calls it goes with. */
  ttlMs: number;
  /** How long a verified token is remembered (never past its expiry). Default 60000. */
  verifiedCacheMs?: number;
  /** Most tokens cached, verified and minted each. Default 10000. */
  maxEntries?: number;
}

/** Reads and makes call contexts and session tokens. */
export interface CallContexts {
  /** The claims of a toolbridge-call header; UNAUTHENTICATED when it does not verify. */
  verifyHeader(token: string): CallContextClaims;
  /** The claims of a session token; UNAUTHENTICATED (saying why) when it does not verify. */
  verifySessionToken(token: string): SessionClaims;
  /** A toolbridge-call header for these claims, reused while it has most of its life left. */
  mint(claims: CallContextClaims): string;
}

const maxTokenLength = 16 * 1024;

/** CallContexts with the runtime key; verifications and signatures are cached, so a callback loop costs a look-up. */
export function createCallContexts(options: CallContextsOptions): CallContexts {
  const jwt = createHs256(options.key);
  const maxEntries = options.maxEntries ?? 10_000;
  const verifiedMs = options.verifiedCacheMs ?? 60_000;
  const headers = createExpiringCache<string, CallContextClaims>(maxEntries);
  const sessions = createExpiringCache<string, SessionClaims>(maxEntries);
  const minted = createExpiringCache<string, string>(maxEntries);
  const { ttlMs } = options;

  const remember = <T>(cache: { set(k: string, v: T, ms: number): void }, token: string, value: T, exp: number) =>
    cache.set(token, value, Math.min(verifiedMs, exp * 1000 - Date.now()));

  return {
    verifyHeader(token) {
      const cached = headers.get(token);
      if (cached !== undefined) return cached;
      if (token.length > maxTokenLength) throw invalidCallContext();
      let c: Record<string, unknown>;
      try {
        c = jwt.verify(token, callContextAudience);
      } catch {
        throw invalidCallContext();
      }
      const { org, sid, chain } = c;
      const tools = toolsOf(c.tools);
      const validChain = Array.isArray(chain) && chain.every((t) => typeof t === "string");
      if (typeof org !== "string" || tools === undefined || typeof sid !== "string" || !validChain) throw invalidCallContext();
      const claims: CallContextClaims = { org, tools, sid, chain: chain as string[], depth: (chain as string[]).length };
      remember(headers, token, claims, c.exp as number);
      return claims;
    },

    verifySessionToken(token) {
      const cached = sessions.get(token);
      if (cached !== undefined) return cached;
      if (token.length > maxTokenLength) throw invalidSessionToken("it is too long");
      let c: Record<string, unknown>;
      try {
        c = jwt.verify(token, sessionTokenAudience);
      } catch (e) {
        throw invalidSessionToken(e instanceof JwtError ? e.message : "it cannot be read");
      }
      const tools = toolsOf(c.tools);
      if (typeof c.sid !== "string" || c.sid === "" || typeof c.org !== "string" || tools === undefined) {
        throw invalidSessionToken("its claims are not those of a session token");
      }
      const claims: SessionClaims = { sid: c.sid, org: c.org, tools };
      remember(sessions, token, claims, c.exp as number);
      return claims;
    },

    mint(claims) {
      const tools = claims.tools === "*" ? "*" : claims.tools.join(",");
      const key = `${claims.org}\n${tools}\n${claims.sid}\n${claims.chain.join(">")}`;
      const cached = minted.get(key);
      if (cached !== undefined) return cached;
      const exp = Math.floor((Date.now() + ttlMs) / 1000);
      const token = jwt.sign(
        callContextAudience,
        { org: claims.org, tools: claims.tools, sid: claims.sid, chain: claims.chain, depth: claims.chain.length },
        exp,
      );
      // Reused for a quarter of its life, so that every reuse still outlives the longest call.
      minted.set(key, token, ttlMs / 4);
      return token;
    },
  };
}

function toolsOf(tools: unknown): "*" | string[] | undefined {
  if (tools === "*") return "*";
  if (Array.isArray(tools) && tools.every((t) => typeof t === "string")) return tools as string[];
  return undefined;
}
