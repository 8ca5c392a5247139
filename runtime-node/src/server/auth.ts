import { hash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";

/** Who called, as an authenticator established it; handed to tools for their callbacks. */
export interface Caller {
  /** How the caller proved itself: "key" for the runtime key, "none" for an --insecure runtime. */
  kind: string;
}

/** Reads one request header by its lower-case name (web Headers and Node's header objects both fit). */
export type HeaderLookup = (name: string) => string | undefined;

/** Checks a request's headers; returns the caller, or throws UNAUTHENTICATED. */
export type Authenticator = (header: HeaderLookup) => Caller;

/** The caller of the current request, set by the auth interceptor. */
export const callerKey = createContextKey<Caller | undefined>(undefined, { description: "toolbridge caller" });

/** An Authenticator that accepts `Authorization: Bearer <key>` and nothing else. Compares in constant time. */
export function createKeyAuthenticator(key: string): Authenticator {
  // Hashing both sides gives equal lengths, so the comparison takes the same time whatever was sent.
  const want = digest(key);
  const caller: Caller = { kind: "key" };
  return (header) => {
    const value = header("authorization");
    if (value === undefined) {
      throw new ConnectError("missing credentials: send Authorization: Bearer <runtime key>", Code.Unauthenticated);
    }
    const match = /^bearer\s+(.+)$/i.exec(value.trim());
    if (match === null) {
      throw new ConnectError("malformed Authorization header: expected Bearer <runtime key>", Code.Unauthenticated);
    }
    if (!timingSafeEqual(digest(match[1]), want)) {
      throw new ConnectError("the runtime key is not valid", Code.Unauthenticated);
    }
    return caller;
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
