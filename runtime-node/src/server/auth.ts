import { hash, timingSafeEqual } from "node:crypto";
import { createContextKey, type Interceptor } from "@connectrpc/connect";
import { invalidKey, malformedCredentials, missingCredentials } from "../auth/access-errors.js";
import { callContextHeader, type CallContexts } from "../auth/call-context.js";
import type { Caller } from "../auth/call-grant.js";

export type { Caller } from "../auth/call-grant.js";

/** Reads one request header by its lower-case name (web Headers and Node's header objects both fit). */
export type HeaderLookup = (name: string) => string | undefined;

/** Checks a request's headers; returns the caller, or throws UNAUTHENTICATED. */
export type Authenticator = (header: HeaderLookup) => Caller;

/** The caller of the current request, set by the auth interceptor. */
export const callerKey = createContextKey<Caller | undefined>(undefined, { description: "toolbridge caller" });

const bearer = /^bearer\s+(\S+)\s*$/i;
const keyCaller: Caller = { kind: "key" };
const maxCachedHeaders = 10_000;

/**
 * An Authenticator that accepts `Authorization: Bearer <runtime key>` (the gateway and admins; with the
 * gateway's toolbridge-call header when it forwards a call) and, given `contexts`, session tokens the gateway
 * signed with the same key (browsers calling directly). Verifications are cached by `contexts`; the key is
 * compared in constant time.
 */
export function createKeyAuthenticator(key: string, contexts?: CallContexts): Authenticator {
  // Hashing both sides gives equal lengths, so the comparison takes the same time whatever was sent.
  const want = digest(key);
  // One Caller per distinct header, so a forwarded call allocates nothing once its header was seen.
  const callers = new Map<string, Caller>();
  const sessionCallers = new WeakMap<object, Caller>();
  return (header) => {
    const value = header("authorization");
    if (value === undefined) throw missingCredentials();
    const match = bearer.exec(value);
    if (match === null) throw malformedCredentials();
    const credential = match[1];
    if (timingSafeEqual(digest(credential), want)) {
      const context = header(callContextHeader);
      if (context === undefined || contexts === undefined) return keyCaller;
      let caller = callers.get(context);
      if (caller === undefined) {
        caller = { kind: "key", context: contexts.verifyHeader(context), header: context };
        if (callers.size >= maxCachedHeaders) callers.clear();
        callers.set(context, caller);
      } else {
        contexts.verifyHeader(context); // cached: only checks that it has not expired
      }
      return caller;
    }
    if (contexts !== undefined && credential.split(".").length === 3) {
      const claims = contexts.verifySessionToken(credential);
      let caller = sessionCallers.get(claims);
      if (caller === undefined) {
        caller = { kind: "session", context: { ...claims, chain: [], depth: 0 } };
        sessionCallers.set(claims, caller);
      }
      return caller;
    }
    throw invalidKey();
  };
}

/** An Authenticator that lets everyone in (--insecure). */
export function createOpenAuthenticator(): Authenticator {
  const caller: Caller = { kind: "none" };
  return () => caller;
}

/** Options of createAuthInterceptor. */
export interface AuthOptions {
  /** Decides who may call. */
  authenticate: Authenticator;
  /** Services callable without credentials, by type name (grpc.health.v1.Health). */
  openServices: string[];
}

/** A Connect interceptor that authenticates every call except those to open services. */
export function createAuthInterceptor(options: AuthOptions): Interceptor {
  const open = new Set(options.openServices);
  const { authenticate } = options;
  return (next) => (request) => {
    if (!open.has(request.service.typeName)) {
      request.contextValues.set(callerKey, authenticate((name) => request.header.get(name) ?? undefined));
    }
    return next(request);
  };
}

function digest(text: string): Buffer {
  return hash("sha256", text, "buffer") as Buffer;
}
