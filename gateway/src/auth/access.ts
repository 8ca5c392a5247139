import type { Authenticate, HeaderReader } from "./authenticate.js";
import { callContextRequired, runtimeCredentialRequired } from "./errors.js";
import type { Principal } from "./principal.js";

/** Who may call a service: anyone, runtimes only, or org callers (API keys, call contexts, anonymous when insecure). */
export type Access = "open" | "runtime" | "org";

/** Throws PERMISSION_DENIED unless the principal has the access a service needs; `service` names it in the message. */
export function checkAccess(principal: Principal, access: Access, service: string): void {
  if (access === "open") return;
  if (access === "runtime") {
    if (principal.kind !== "runtime") throw runtimeCredentialRequired(service);
    return;
  }
  if (principal.kind === "runtime") throw callContextRequired(service);
}

/**
 * Authenticates a call of a service and checks its access; resolves undefined for open services
 * (which need no credentials), the principal otherwise. Services not in `access` need "org".
 */
export type Authorize = (service: string, headers: HeaderReader) => Promise<Principal | undefined>;

/** The Authorize of one authentication and one access table. */
export function createAuthorize(authenticate: Authenticate, access: ReadonlyMap<string, Access>): Authorize {
  return async (service, headers) => {
    const needed = access.get(service) ?? "org";
    if (needed === "open") return undefined;
    const principal = await authenticate(headers);
    checkAccess(principal, needed, service);
    return principal;
  };
}
