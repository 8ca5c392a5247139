import { BoundedCache } from "../util/bounded-cache.js";
import { callCycle, callTooDeep, invalidCallContext } from "./errors.js";
import type { JwtSigner } from "./jwt-signer.js";
import { type Principal, toolsClaim } from "./principal.js";

/** The header that carries a call's signed context to a runtime, and back with its callbacks. */
export const callContextHeader = "toolbridge-call";

/** The `aud` of call-context tokens (session tokens have another, so neither passes for the other). */
export const callContextAudience = "toolbridge-call";

/** What a call-context token says (besides aud, iat, exp). */
export interface CallContextClaims {
  /** The org of the original caller. */
  org: string;
  /** Its allowlist: "*" or tool names. */
  tools: "*" | string[];
  /** The session of the call; "" for none. */
  sid: string;
  /** The tools on the call's path, outermost first, ending with the tool being called. */
  chain: string[];
  /** chain.length. */
  depth: number;
}

/** Options of createCallContexts. */
export interface CallContextOptions {
  /** Signs with the runtime key. */
  signer: JwtSigner;
  /** Lifetime of a token; it must outlast the calls it goes with. */
  ttlMs: number;
  /** Longest chain. */
  maxDepth: number;
  /** Most tokens cached (signed and verified, each). */
  maxEntries: number;
}

/**
 * Call contexts: the signed header that lets a tool's callbacks (forwarded by its runtime) act with
 * the original caller's rights, and no more, and that stops cycles and runaway nesting.
 */
export interface CallContexts {
  /** Throws FAILED_PRECONDITION if the tool is already on the principal's path, RESOURCE_EXHAUSTED past the depth limit. */
  checkChain(principal: Principal, tool: string): void;
  /** The header value for a call of `tool` by `principal` in `sessionId`, valid for at least `forMs`. */
  headerFor(principal: Principal, sessionId: string, tool: string, forMs: number): Promise<string>;
  /** The principal a header stands for; UNAUTHENTICATED when it does not verify. */
  principalOf(token: string): Promise<Principal>;
}

/** Call contexts signed with HS256; both signing and verifying are cached, so a callback loop costs a map look-up. */
export function createCallContexts(options: CallContextOptions): CallContexts {
  const { signer, ttlMs, maxDepth } = options;
  const signed = new BoundedCache<string, { token: string; expiresAt: number }>(options.maxEntries);
  const verified = new BoundedCache<string, Promise<Principal>>(options.maxEntries);
  const maxTokenLength = 16 * 1024;

  return {
    checkChain(principal, tool) {
      const { chain } = principal;
      if (chain.length === 0) return;
      if (chain.includes(tool)) throw callCycle(chain, tool);
      if (chain.length >= maxDepth) throw callTooDeep(chain, tool, maxDepth);
    },

    async headerFor(principal, sessionId, tool, forMs) {
      const tools = toolsClaim(principal);
      const toolsKey = tools === "*" ? "*" : tools.join(",");
      const key = `${principal.orgId}\n${toolsKey}\n${sessionId}\n${principal.chain.join(">")}>${tool}`;
      const now = Date.now();
      const cached = signed.get(key);
      // Reuse a token while it outlives this call; past that, sign a fresh one.
      if (cached !== undefined && cached.expiresAt - now > forMs) return cached.token;
      const chain = [...principal.chain, tool];
      const claims: CallContextClaims = { org: principal.orgId, tools, sid: sessionId, chain, depth: chain.length };
      const expiresAt = now + Math.max(ttlMs, forMs + 60_000);
      const token = await signer.sign(callContextAudience, { ...claims }, Math.floor(expiresAt / 1000));
      signed.set(key, { token, expiresAt }, expiresAt - now);
      return token;
    },

    principalOf(token) {
      const cached = verified.get(token);
      if (cached !== undefined) return cached;
      if (token.length > maxTokenLength) return Promise.reject(invalidCallContext());
      const principal = verify(signer, token).then(({ principal, expiresAt }) => {
        verified.set(token, Promise.resolve(principal), expiresAt - Date.now());
        return principal;
      });
      return principal;
    },
  };
}

async function verify(signer: JwtSigner, token: string): Promise<{ principal: Principal; expiresAt: number }> {
  let claims: Record<string, unknown>;
  try {
    claims = await signer.verify(token, callContextAudience);
  } catch {
    throw invalidCallContext();
  }
  const { org, tools, sid, chain, exp } = claims;
  const validTools = tools === "*" || (Array.isArray(tools) && tools.every((t) => typeof t === "string"));
  const validChain = Array.isArray(chain) && chain.every((t) => typeof t === "string");
  if (typeof org !== "string" || !validTools || typeof sid !== "string" || !validChain || typeof exp !== "number") {
    throw invalidCallContext();
  }
  const principal: Principal = {
    kind: "call-context",
    orgId: org,
    allowedTools: tools === "*" ? "all" : new Set(tools as string[]),
    sessionId: sid,
    chain: chain as string[],
  };
  return { principal, expiresAt: exp * 1000 };
}
