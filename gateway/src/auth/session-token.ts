import { invalidQueryToken } from "./errors.js";
import type { JwtSigner } from "./jwt-signer.js";
import { type Principal, toolsClaim } from "./principal.js";

/** The `aud` of session tokens; runtimes must require it, so that a call context does not pass for one. */
export const sessionTokenAudience = "toolbridge-session";

/** What a session token says (besides aud, iat, exp): runtimes verify it with the runtime key. */
export interface SessionTokenClaims {
  /** The session the bearer may use. */
  sid: string;
  /** The org the session belongs to. */
  org: string;
  /** The tools the bearer may call: "*" or names. */
  tools: "*" | string[];
}

/** Signs a short-lived token with which a browser calls runtimes directly, or follows a GET stream of the gateway, for one session. */
export async function signSessionToken(
  signer: JwtSigner,
  principal: Principal,
  sessionId: string,
  ttlMs: number,
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = Math.floor((Date.now() + ttlMs) / 1000) * 1000;
  const claims: SessionTokenClaims = { sid: sessionId, org: principal.orgId, tools: toolsClaim(principal) };
  const token = await signer.sign(sessionTokenAudience, { ...claims }, expiresAt / 1000);
  return { token, expiresAt };
}

// Longer tokens are refused unread; a real one is a few hundred bytes.
const maxSessionTokenLength = 4096;

/**
 * The principal of a session token the gateway signed: the org and tools it names, confined to its
 * session. UNAUTHENTICATED unless it verifies for the session audience and has not expired.
 */
export async function sessionTokenPrincipal(signer: JwtSigner, token: string): Promise<Principal> {
  if (token.length > maxSessionTokenLength) throw invalidQueryToken();
  let claims: Record<string, unknown>;
  try {
    claims = await signer.verify(token, sessionTokenAudience);
  } catch {
    throw invalidQueryToken();
  }
  const { sid, org, tools } = claims;
  const validTools = tools === "*" || (Array.isArray(tools) && tools.every((t) => typeof t === "string"));
  if (typeof sid !== "string" || sid === "" || typeof org !== "string" || !validTools) throw invalidQueryToken();
  return {
    kind: "session-token",
    orgId: org,
    allowedTools: tools === "*" ? "all" : new Set(tools as string[]),
    sessionId: sid,
    chain: [],
  };
}
