import type { Interceptor } from "@connectrpc/connect";
import { type Access, checkAccess } from "./access.js";
import type { Authenticate } from "./authenticate.js";
import { principalKey } from "./principal.js";

/** Options of createAuthInterceptor. */
export interface AuthInterceptorOptions {
  /** The gateway's one authentication. */
  authenticate: Authenticate;
  /** The access each service needs, by type name; services not listed need "org". */
  access: ReadonlyMap<string, Access>;
}

/** A Connect interceptor that authenticates each call, checks its service's access, and sets principalKey. */
export function createAuthInterceptor(options: AuthInterceptorOptions): Interceptor {
  const { authenticate, access } = options;
  return (next) => async (request) => {
    const needed = access.get(request.service.typeName) ?? "org";
    if (needed !== "open") {
      const principal = await authenticate(request.header);
      checkAccess(principal, needed, request.service.typeName);
      request.contextValues.set(principalKey, principal);
    }
    return next(request);
  };
}
