import type { Interceptor } from "@connectrpc/connect";
import type { Authorize } from "./access.js";
import { principalKey } from "./principal.js";

/** A Connect interceptor that authorizes each call for its service and sets principalKey. */
export function createAuthInterceptor(authorize: Authorize): Interceptor {
  return (next) => async (request) => {
    const principal = await authorize(request.service.typeName, request.header);
    if (principal !== undefined) request.contextValues.set(principalKey, principal);
    return next(request);
  };
}
