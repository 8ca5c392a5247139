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
