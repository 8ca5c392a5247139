import { callCycle, callTooDeep, sessionNotAllowed, toolNotAllowed } from "./access-errors.js";
import type { CallContextClaims, CallContexts } from "./call-context.js";

/** Who called, as authentication established it (or, for a nested call, the call it was made from). */
export type Caller =
  /** The runtime key; `context` and `header` when the gateway forwarded the call with a toolbridge-call header. */
  | { readonly kind: "key"; readonly context?: CallContextClaims; readonly header?: string }
  /** A session token (browser direct): one session, the token's allowlist. */
  | { readonly kind: "session"; readonly context: CallContextClaims }
  /** An --insecure runtime: anyone. */
  | { readonly kind: "none" }
  /** A tool of this runtime calling another one in-process (a callback, or a TypeScript tool's ctx.callTool). */
  | { readonly kind: "nested"; readonly parent: CallGrant };

/** The rights a running call acts with, for its callbacks and nested calls. */
export interface CallGrant {
  /** The call's session ("" for none); its callbacks use this one and no other. */
  readonly sessionId: string;
  /** Org, allowlist and chain (ending with this call's tool); undefined for a call that came without one. */
  readonly context: CallContextClaims | undefined;
  /** The tools on the call's path, outermost first, ending with this one. */
  readonly chain: readonly string[];
  /** True for a call made from inside another: it must not wait behind the concurrency its parent holds. */
  readonly nested: boolean;
  /** The toolbridge-call header for the gateway: the one received, unchanged, or one minted here; undefined without a context. */
  header(): string | undefined;
}

/** Options of createGrants. */
export interface GrantOptions {
  /** Mints headers for nested and browser-direct calls; undefined on a runtime without a key. */
  contexts: CallContexts | undefined;
  /** Longest chain of nested calls. */
  maxDepth: number;
}

/** Decides what a call may do. */
export type Admit = (caller: Caller | undefined, tool: string, sessionId: string) => CallGrant;

const noHeader = () => undefined;

/**
 * The Admit of the runtime: session tokens are held to their session and allowlist, nested calls to their
 * parent's allowlist, and to the cycle and depth rules, exactly as the gateway holds its callers (PERMISSION_DENIED,
 * FAILED_PRECONDITION "call cycle: a -> b -> a", RESOURCE_EXHAUSTED). Runtime-key callers were checked by the gateway.
 */
export function createAdmit(options: GrantOptions): Admit {
  const { contexts, maxDepth } = options;

  const minted = (context: CallContextClaims) => {
    let header: string | undefined;
    return () => (header ??= contexts?.mint(context));
  };
  const allowed = (context: CallContextClaims, tool: string) => {
    if (context.tools !== "*" && !context.tools.includes(tool)) throw toolNotAllowed(context.org, tool);
  };

  return (caller, tool, sessionId) => {
    switch (caller?.kind) {
      case "key": {
        const { context } = caller;
        if (context === undefined) return { sessionId, context: undefined, chain: [tool], nested: false, header: noHeader };
        // The gateway's chain ends with the tool it called; one that does not gets it added, so cycles stay visible.
        const same = context.chain.at(-1) === tool;
        const chain = same ? context.chain : [...context.chain, tool];
        const claims = same ? context : { ...context, chain, depth: chain.length };
        const header = same && caller.header !== undefined ? () => caller.header : minted(claims);
        return { sessionId, context: claims, chain, nested: chain.length > 1, header };
      }
      case "session": {
        const { context } = caller;
        if (sessionId !== context.sid) throw sessionNotAllowed(context.sid, sessionId);
        allowed(context, tool);
        const claims: CallContextClaims = { ...context, chain: [tool], depth: 1 };
        return { sessionId, context: claims, chain: claims.chain, nested: false, header: minted(claims) };
      }
      case "nested": {
        const { parent } = caller;
        if (parent.context !== undefined) allowed(parent.context, tool);
        if (parent.chain.includes(tool)) throw callCycle(parent.chain, tool);
        if (parent.chain.length >= maxDepth) throw callTooDeep(parent.chain, tool, maxDepth);
        const chain = [...parent.chain, tool];
        const context = parent.context && { ...parent.context, chain, depth: chain.length };
        const header = context === undefined ? noHeader : minted(context);
        return { sessionId: parent.sessionId, context, chain, nested: true, header };
      }
      default:
        return { sessionId, context: undefined, chain: [tool], nested: false, header: noHeader };
    }
  };
}
