import { createContextKey } from "@connectrpc/connect";
import { toolNotAllowed } from "./errors.js";

/** How a caller proved who it is. */
export type PrincipalKind =
  /** An API key of an org. */
  | "api-key"
  /** The runtime credential alone: may use RegistryService only. */
  | "runtime"
  /** The runtime credential with a signed call context: the original caller's rights, forwarded. */
  | "call-context"
  /** A session token (SessionService.CreateSessionToken) in a GET stream's query: its org's rights in its session only. */
  | "session-token"
  /** No key, on an insecure gateway. */
  | "anonymous";

/** Who is calling and what they may do. */
export interface Principal {
  /** How the caller proved itself. */
  readonly kind: PrincipalKind;
  /** The org whose sessions the caller sees; "" for a bare runtime credential. */
  readonly orgId: string;
  /** The tools the caller may call. */
  readonly allowedTools: "all" | ReadonlySet<string>;
  /** Call contexts and session tokens: the one session the caller may use ("" for none). */
  readonly sessionId?: string;
  /** Call contexts: the tools already on the call's path, outermost first; empty otherwise. */
  readonly chain: readonly string[];
}

/** The org of callers on an insecure gateway that send no key. */
export const anonymousOrg = "default";

/** The principal of the current Connect call, set by the auth interceptor. */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "toolbridge principal" });

/** True when the principal may call the tool. */
export function mayCall(principal: Principal, tool: string): boolean {
  return principal.allowedTools === "all" || principal.allowedTools.has(tool);
}

/** Throws PERMISSION_DENIED unless the principal may call the tool. */
export function checkToolAllowed(principal: Principal, tool: string): void {
  if (!mayCall(principal, tool)) throw toolNotAllowed(principal.orgId, tool);
}

/** The allowlist as token claims carry it: "*" or the names. */
export function toolsClaim(principal: Principal): "*" | string[] {
  return principal.allowedTools === "all" ? "*" : [...principal.allowedTools].sort();
}
