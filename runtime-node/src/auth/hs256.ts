import { createHmac, timingSafeEqual } from "node:crypto";

// HS256 JSON Web Tokens (RFC 7519) as the gateway makes them with hono/jwt: header {"alg":"HS256","typ":"JWT"},
// base64url parts without padding, `aud` one string. Written on node:crypto because it signs and verifies
// synchronously, in a couple of microseconds, on the call path; the runtime has no JWT library of its own.

/** Claims of a verified token. */
export type JwtClaims = Record<string, unknown>;

/** Why a token did not verify; the message never repeats the token. */
export class JwtError extends Error {
  override name = "JwtError";
}

const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
const base64url = /^[A-Za-z0-9_-]+$/;

/** Signs and verifies HS256 tokens with one secret. */
export interface Hs256 {
  /** A token with these claims, `aud` and `exp` (seconds since the epoch) set. */
  sign(audience: string, claims: JwtClaims, expSeconds: number): string;
  /** The claims of a token signed with the secret, for this audience, not expired; throws JwtError otherwise. */
  verify(token: string, audience: string): JwtClaims;
}

/** An Hs256 with `secret` (the runtime key, as UTF-8 bytes, like the gateway's). */
export function createHs256(secret: string): Hs256 {
  const key = Buffer.from(secret, "utf8");
  const mac = (input: string) => createHmac("sha256", key).update(input).digest();

  return {
    sign(audience, claims, expSeconds) {
      // iat a little in the past: a verifier whose clock is slightly behind must not see it in the future.
      const payload = { ...claims, aud: audience, iat: Math.floor(Date.now() / 1000) - 60, exp: expSeconds };
      const unsigned = `${header}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
      return `${unsigned}.${mac(unsigned).toString("base64url")}`;
    },

    verify(token, audience) {
      const parts = token.split(".");
      if (parts.length !== 3 || !parts.every((p) => base64url.test(p))) throw new JwtError("not a JSON Web Token");
      const signature = Buffer.from(parts[2], "base64url");
      const expected = mac(`${parts[0]}.${parts[1]}`);
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
        throw new JwtError("the signature does not match this runtime's key");
      }
      let head: unknown;
      let claims: unknown;
      try {
        head = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
        claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
      } catch {
        throw new JwtError("the token is not JSON");
      }
      if (typeof head !== "object" || head === null || (head as JwtClaims).alg !== "HS256") {
        throw new JwtError("the token is not HS256");
      }
      if (typeof claims !== "object" || claims === null || Array.isArray(claims)) throw new JwtError("the claims are not an object");
      const c = claims as JwtClaims;
      const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
      if (!audiences.includes(audience)) throw new JwtError(`the token is not meant for ${audience}`);
      const now = Date.now() / 1000;
      if (typeof c.exp !== "number" || !Number.isFinite(c.exp) || c.exp <= now) throw new JwtError("the token has expired");
      if (c.nbf !== undefined && (typeof c.nbf !== "number" || c.nbf > now)) throw new JwtError("the token is not valid yet");
      return c;
    },
  };
}
