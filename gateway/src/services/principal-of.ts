import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { type Principal, principalKey } from "../auth/principal.js";
import type { CallScope } from "../routing/tool-dispatch.js";

/** The principal the auth interceptor set; INTERNAL if a service runs without it (a wiring mistake). */
export function principalOf(context: HandlerContext): Principal {
  const principal = context.values.get(principalKey);
  if (principal === undefined) throw new ConnectError("no principal: the auth interceptor did not run", Code.Internal);
  return principal;
}

/** The call scope of a Connect call: its signal and the time left before its deadline. */
export function scopeOf(context: HandlerContext): CallScope {
  return { signal: context.signal, timeoutMs: context.timeoutMs() };
}
