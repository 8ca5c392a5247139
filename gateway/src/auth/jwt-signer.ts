import { sign, verify } from "hono/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";

/** Signs and verifies HS256 JWTs with one secret, for one audience per kind of token. */
export interface JwtSigner {
  /** A token with these claims, `aud` and `iat` set; it expires at expSeconds (seconds since the epoch). */
  sign(audience: string, claims: Record<string, unknown>, expSeconds: number): Promise<string>;
  /** The claims of a valid, unexpired token for this audience; rejects otherwise. */
  verify(token: string, audience: string): Promise<JWTPayload>;
}

/**
 * A JwtSigner on hono/jwt (Web Crypto). The secret is imported as a CryptoKey once, not on every
 * signature.
 */
export function createJwtSigner(secret: string): JwtSigner {
  let key: ReturnType<typeof crypto.subtle.importKey> | undefined;
  const cryptoKey = () =>
    (key ??= crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]));
  return {
    async sign(audience, claims, expSeconds) {
      const payload = { ...claims, aud: audience, iat: Math.floor(Date.now() / 1000), exp: expSeconds };
      return sign(payload, await cryptoKey(), "HS256");
    },
    async verify(token, audience) {
      return verify(token, await cryptoKey(), { alg: "HS256", aud: audience });
    },
  };
}
