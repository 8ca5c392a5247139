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

/** Signs a short-lived token with which a browser calls runtimes directly for one session. */
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
