import { Code, ConnectError } from "@connectrpc/connect";
import { toolError } from "@toolbridge/proto";

// The boundary between http_get and the web: where it may not go, bounds it hit, and how a fetch
// fails, mapped to codes in this one file. Messages name the host, never the headers (they may
// carry credentials).

/** PERMISSION_DENIED: an address that is not public (after DNS, or a literal IP). */
export function addressRefused(url: URL, address: string): ConnectError {
  return toolError(
    Code.PermissionDenied,
    `http_get refuses ${url.host}: it is (or resolves to) ${address}, which is not a public address ` +
      "(private, loopback, link-local, metadata and similar addresses are refused unless the gateway's http_get allowlist names the host)",
    { field: "/url" },
  );
}

/** PERMISSION_DENIED: a localhost name. */
export function hostRefused(url: URL): ConnectError {
  return toolError(Code.PermissionDenied, `http_get refuses ${url.host}: localhost names are refused unless the allowlist names them`, {
    field: "/url",
  });
}

/** PERMISSION_DENIED: a redirect to a scheme other than http and https. */
export function redirectSchemeRefused(from: URL, location: string): ConnectError {
  return toolError(Code.PermissionDenied, `http_get refuses the redirect from ${from.host} to '${location.slice(0, 200)}': only http and https`, {
    field: "/url",
  });
}

/** INVALID_ARGUMENT: a URL http_get does not take. */
export function badUrl(problem: string): ConnectError {
  return toolError(Code.InvalidArgument, `url ${problem}`, { field: "/url", type: "InvalidArguments" });
}

/** INVALID_ARGUMENT: a request header http_get does not send. */
export function badHeader(problem: string): ConnectError {
  return toolError(Code.InvalidArgument, `headers: ${problem}`, { field: "/headers", type: "InvalidArguments" });
}

/** RESOURCE_EXHAUSTED: a body larger than max_bytes (and truncation was not asked for). */
export function bodyTooLarge(url: URL, maxBytes: number, known?: number): ConnectError {
  const size = known === undefined ? "more than" : `${known} bytes, more than`;
  return toolError(Code.ResourceExhausted, `the body from ${url.host} is ${size} max_bytes (${maxBytes}); raise max_bytes or set truncate`, {
    field: "/max_bytes",
  });
}

/** RESOURCE_EXHAUSTED: more redirects than allowed. */
export function tooManyRedirects(max: number): ConnectError {
  return toolError(Code.ResourceExhausted, `http_get followed ${max} redirects and was redirected again; it stops there`, { field: "/url" });
}

/** DEADLINE_EXCEEDED: the answer (redirects and body included) took longer than timeout_ms. */
export function fetchTimedOut(url: URL, timeoutMs: number): ConnectError {
  return toolError(Code.DeadlineExceeded, `http_get did not get the whole answer from ${url.host} within ${timeoutMs} ms`, {
    field: "/timeout_ms",
  });
}

// Codes Node (and undici's causes) give failed connections.
const unresolved = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const refused = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);
const tls = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/;

/**
 * The error of a fetch that failed without an answer. A ConnectError (the address checks of the
 * connector) passes as it is; anything else is UNAVAILABLE, saying what happened when it is known.
 */
export function fetchFailed(err: unknown, url: URL): ConnectError {
  if (err instanceof ConnectError) return err;
  const seen = new Set<unknown>();
  for (let e: unknown = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (e instanceof ConnectError) return e;
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (unresolved.has(code)) return unavailable(`http_get could not resolve ${url.hostname}`);
    if (refused.has(code)) return unavailable(`http_get could not connect to ${url.host} (${code})`);
    if (tls.test(code)) return unavailable(`http_get refused the TLS certificate of ${url.host}: ${e.message}`);
    if (code.startsWith("HPE_")) return unavailable(`${url.host} did not answer with valid HTTP (${code})`);
  }
  return unavailable(`http_get could not fetch from ${url.host}: ${(err as Error)?.message ?? String(err)}`);
}

function unavailable(message: string): ConnectError {
  return toolError(Code.Unavailable, message, { field: "/url" });
}
