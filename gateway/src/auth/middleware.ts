import { createMiddleware } from "hono/factory";
import { checkAccess } from "./access.js";
import type { Authenticate } from "./authenticate.js";
import type { Principal } from "./principal.js";

/** Hono variables the auth middleware sets. */
export interface AuthVariables {
  /** Who is calling. */
  principal: Principal;
}

/** A Hono middleware for the REST routes: the same authentication as Connect calls; errors go to app.onError. */
export function authMiddleware(authenticate: Authenticate) {
  return createMiddleware<{ Variables: AuthVariables }>(async (c, next) => {
    const principal = await authenticate(c.req.raw.headers);
    checkAccess(principal, "org", "the REST API");
    c.set("principal", principal);
    await next();
  });
}
