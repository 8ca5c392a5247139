import { createMiddleware } from "hono/factory";
import { checkAccess } from "./access.js";
import type { Authenticate } from "./authenticate.js";
import type { JwtSigner } from "./jwt-signer.js";
import type { AuthVariables } from "./middleware.js";
import { sessionTokenPrincipal } from "./session-token.js";

/**
 * The auth of GET routes that a browser EventSource follows (it can send no headers): the
 * Authorization header when there is one, as on every other route, or else an `access_token` query
 * parameter. A URL ends up in proxy and access logs and in browser history, so the query takes only a
 * session token (minutes long, one session, the key's tools), never an API key, which does not expire
 * and opens every session of its org. Errors go to app.onError.
 */
export function queryTokenAuthMiddleware(authenticate: Authenticate, signer: JwtSigner) {
  return createMiddleware<{ Variables: AuthVariables }>(async (c, next) => {
    const token = c.req.query("access_token");
    const fromQuery = token !== undefined && !c.req.raw.headers.has("authorization");
    const principal = fromQuery ? await sessionTokenPrincipal(signer, token) : await authenticate(c.req.raw.headers);
    checkAccess(principal, "org", "the REST API");
    c.set("principal", principal);
    await next();
  });
}
