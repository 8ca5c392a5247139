// A lean connect HandlerContext for one unary call: one AbortController, a timer only when there is a deadline,
// and web Headers built only when the implementation touches them.
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";

const DEADLINE = () => new ConnectError("the operation timed out", Code.DeadlineExceeded);

/**
 * Creates the context handed to a unary implementation, plus the controls the server needs.
 *
 * Options:
 * - service, method: descriptors of the call.
 * - url: the request URL.
 * - headers: the HTTP/2 request headers (plain object, lower-case names, pseudo-headers included).
 * - timeoutMs: the call's deadline from now, if any.
 * - shutdownSignal: aborts the call when the server shuts down.
 * - contextValues: per-call ContextValues.
 * - responseHeader, responseTrailer: initial response headers and trailers (plain objects).
 *
 * Returns { context, abort(reason), responseHeaders(), responseTrailers() }; the last two give plain objects for
 * http2 respond() and sendTrailers().
 */
export function createCallContext({ service, method, url, headers, timeoutMs, shutdownSignal, contextValues, responseHeader, responseTrailer }) {
  const controller = new AbortController();
  let timer;
  if (timeoutMs !== undefined) timer = setTimeout(() => abort(DEADLINE()), timeoutMs);
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const onShutdown = () => abort(shutdownSignal.reason);
  shutdownSignal?.addEventListener("abort", onShutdown);

  let requestHeader, responseHeaders, responseTrailers;
  const context = {
    service,
    method,
    url,
    requestMethod: "POST",
    protocolName: "grpc",
    signal: controller.signal,
    values: contextValues ?? createContextValues(),
    timeoutMs: () => (deadline === undefined ? undefined : deadline - Date.now()),
    get requestHeader() {
      return (requestHeader ??= new Headers(headerPairs(headers)));
    },
    get responseHeader() {
      return (responseHeaders ??= new Headers(responseHeader));
    },
    get responseTrailer() {
      return (responseTrailers ??= new Headers(responseTrailer));
    },
  };

  function abort(reason) {
    clearTimeout(timer);
    shutdownSignal?.removeEventListener("abort", onShutdown);
    if (!controller.signal.aborted) controller.abort(reason);
  }

  return {
    context,
    abort,
    responseHeaders: () => (responseHeaders ? headersObject(responseHeaders) : responseHeader),
    responseTrailers: () => (responseTrailers ? headersObject(responseTrailers) : responseTrailer),
  };
}

/** Request headers without HTTP/2 pseudo-headers, as [name, value] pairs. */
function headerPairs(headers) {
  const pairs = [];
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* ":" */) continue;
    const value = headers[name];
    if (Array.isArray(value)) for (const v of value) pairs.push([name, v]);
    else if (value !== undefined) pairs.push([name, String(value)]);
  }
  return pairs;
}

/** A web Headers object as a plain object for http2 respond()/sendTrailers(). */
export function headersObject(headers) {
  const out = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}
