import type { JsonObject } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { defineTool, type ToolDefinition } from "@toolbridge/proto";
import { type AllowEntry, createAddressPolicy } from "./address-policy.js";
import { encodeBody, readBounded } from "./http-body.js";
import {
  badHeader,
  badUrl,
  bodyTooLarge,
  fetchFailed,
  fetchTimedOut,
  redirectSchemeRefused,
  tooManyRedirects,
} from "./http-get-errors.js";

/** One request http_get makes (one hop: redirects are followed by http_get itself). */
export interface HttpGetRequest {
  /** The URL, already checked by the address policy (scheme, literal addresses). */
  url: URL;
  /** The headers to send. */
  headers: Headers;
  /** Aborts the request and its body. */
  signal: AbortSignal;
  /**
   * Throws PERMISSION_DENIED unless the address may be reached. A connector that resolves names
   * itself calls it for every address DNS answers and then connects only to an address it checked.
   */
  checkAddress(address: string): void;
}

/** The answer to one request, before its body is read. */
export interface HttpGetResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
}

/** How http_get reaches the web: must not follow redirects (http_get checks each hop itself). */
export type HttpGetFetch = (request: HttpGetRequest) => Promise<HttpGetResponse>;

/**
 * The web-standard HttpGetFetch: the platform's fetch with redirect "manual". It cannot see DNS
 * answers, so it checks literal addresses only (through the policy, before it is called). On
 * Cloudflare Workers that is enough: a Worker's fetch goes out through Cloudflare's network and
 * cannot reach private networks. On Node use adapter/node-http-get.ts, which checks every DNS answer.
 */
export const webHttpGetFetch: HttpGetFetch = async ({ url, headers, signal }) => {
  const response = await fetch(url, { headers, signal, redirect: "manual" });
  return { status: response.status, statusText: response.statusText, headers: response.headers, body: response.body };
};

/** Options of httpGetTool. */
export interface HttpGetOptions {
  /** Hosts (and ports) that may be reached although they are not public; parseAllowlist() makes them. Default none. */
  allow?: readonly AllowEntry[];
  /** How requests go out. Default webHttpGetFetch; on Node, createNodeHttpGetFetch(). */
  fetch?: HttpGetFetch;
  /** The largest max_bytes a call may ask for. Default 5 MiB (results travel base64 at worst, in a 10 MiB message). */
  maxBytes?: number;
  /** max_bytes when a call gives none. Default 1 MiB. */
  defaultMaxBytes?: number;
  /** The longest timeout_ms a call may ask for. Default 30000. */
  maxTimeoutMs?: number;
  /** timeout_ms when a call gives none. Default 10000. */
  defaultTimeoutMs?: number;
  /** Most redirects followed. Default 5. */
  maxRedirects?: number;
}

// Headers the connection owns, or that would change what comes back (compression differs between
// Node and Workers), or that proxies act on.
const forbiddenHeaders = new Set([
  "host", "connection", "content-length", "transfer-encoding", "te", "trailer", "upgrade", "keep-alive",
  "expect", "accept-encoding", "proxy-authorization", "proxy-connection", "cookie2",
]);
const maxHeaders = 32;
const maxHeaderBytes = 8 * 1024;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * http_get(url, headers?, max_bytes?, timeout_ms?, follow_redirects?, truncate?): GET over http or
 * https, bounded in time (timeout_ms for everything, redirects and body included: DEADLINE_EXCEEDED)
 * and size (past max_bytes: RESOURCE_EXHAUSTED, or the first max_bytes with truncated true when
 * truncate is set). Refuses (PERMISSION_DENIED) hosts that are or resolve to non-public addresses
 * (address-policy.ts), also after each redirect, which http_get follows itself (at most
 * maxRedirects, each checked), unless the allowlist names the host. Returns {url, status,
 * status_text, headers, content_type, body, encoding: "text" | "base64", bytes, truncated,
 * redirects}: body is text for textual content (decoded in its charset), else base64 with encoding
 * "base64"; an HTTP error status is a result, not a failure.
 */
export function httpGetTool(options: HttpGetOptions = {}): ToolDefinition {
  const policy = createAddressPolicy(options.allow ?? []);
  const send = options.fetch ?? webHttpGetFetch;
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const defaultMaxBytes = Math.min(options.defaultMaxBytes ?? 1024 * 1024, maxBytes);
  const maxTimeoutMs = options.maxTimeoutMs ?? 30_000;
  const defaultTimeoutMs = Math.min(options.defaultTimeoutMs ?? 10_000, maxTimeoutMs);
  const maxRedirects = options.maxRedirects ?? 5;

  return defineTool({
    name: "http_get",
    description:
      "Fetch a URL with HTTP GET (http and https only) and return {url, status, status_text, headers, content_type, " +
      "body, encoding, bytes, truncated, redirects}. body is text for textual content, otherwise base64 (encoding " +
      `"base64"). Bounded: max_bytes (default ${defaultMaxBytes}, at most ${maxBytes}; set truncate to get the first ` +
      `max_bytes instead of an error) and timeout_ms (default ${defaultTimeoutMs}, at most ${maxTimeoutMs}). Private, ` +
      `loopback, link-local and metadata addresses are refused, also after redirects (at most ${maxRedirects}).`,
    parameters: {
      type: "object",
      properties: {
        url: { type: "string", minLength: 1, maxLength: 8192, description: "An http or https URL." },
        headers: {
          type: "object",
          additionalProperties: { type: "string" },
          maxProperties: maxHeaders,
          description: "Request headers (no Host, Cookie2, Accept-Encoding or hop-by-hop headers).",
        },
        max_bytes: { type: "integer", minimum: 1, maximum: maxBytes, description: `Largest body to read (default ${defaultMaxBytes}).` },
        timeout_ms: { type: "integer", minimum: 1, maximum: maxTimeoutMs, description: `Time for the whole fetch (default ${defaultTimeoutMs}).` },
        follow_redirects: { type: "boolean", description: "Follow redirects (default true); false returns the 3xx answer." },
        truncate: { type: "boolean", description: "Past max_bytes, return the first max_bytes with truncated true instead of failing." },
      },
      required: ["url"],
      additionalProperties: false,
    },
    async run({ args, ctx }) {
      const limit = (args.max_bytes as number | undefined) ?? defaultMaxBytes;
      const timeoutMs = (args.timeout_ms as number | undefined) ?? defaultTimeoutMs;
      const firstUrl = parseUrl(args.url as string);
      const callerHeaders = headersOf(args.headers as JsonObject | undefined);

      // One signal for the whole fetch: the call's (deadline, cancellation) and timeout_ms.
      const controller = new AbortController();
      const onCallAbort = () => controller.abort(ctx.signal.reason);
      if (ctx.signal.aborted) onCallAbort();
      else ctx.signal.addEventListener("abort", onCallAbort, { once: true });
      const timer = setTimeout(() => controller.abort(fetchTimedOut(firstUrl, timeoutMs)), timeoutMs);
      const stop = new Promise<never>((_, reject) => {
        const fail = () => reject(ConnectError.from(controller.signal.reason));
        if (controller.signal.aborted) fail();
        else controller.signal.addEventListener("abort", fail, { once: true });
      });
      stop.catch(() => {});
      try {
        return await fetchFollowing(firstUrl, callerHeaders, args.follow_redirects !== false, controller.signal, stop, {
          limit,
          truncate: args.truncate === true,
        });
      } catch (err) {
        if (controller.signal.aborted) throw ConnectError.from(controller.signal.reason);
        throw err;
      } finally {
        clearTimeout(timer);
        ctx.signal.removeEventListener("abort", onCallAbort);
      }
    },
  });

  async function fetchFollowing(
    first: URL,
    callerHeaders: Headers,
    follow: boolean,
    signal: AbortSignal,
    stop: Promise<never>,
    body: { limit: number; truncate: boolean },
  ) {
    let url = first;
    let headers = callerHeaders;
    for (let redirects = 0; ; redirects++) {
      policy.checkUrl(url);
      const current = url;
      let response: HttpGetResponse;
      try {
        response = await Promise.race([send({ url, headers, signal, checkAddress: (address) => policy.checkAddress(current, address) }), stop]);
      } catch (err) {
        if (signal.aborted) throw err;
        throw fetchFailed(err, url);
      }
      const location = response.headers.get("location");
      if (follow && redirectStatuses.has(response.status) && location !== null) {
        response.body?.cancel().catch(() => {});
        if (redirects === maxRedirects) throw tooManyRedirects(maxRedirects);
        const next = nextUrl(url, location);
        // Credentials the caller gave one origin do not travel to another.
        if (next.origin !== url.origin) headers = new Headers();
        url = next;
        continue;
      }
      return await resultOf(response, url, redirects, stop, body);
    }
  }

  async function resultOf(response: HttpGetResponse, url: URL, redirects: number, stop: Promise<never>, body: { limit: number; truncate: boolean }) {
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (!body.truncate && Number.isFinite(declared) && declared > body.limit) {
      response.body?.cancel().catch(() => {});
      throw bodyTooLarge(url, body.limit, declared);
    }
    const read = await readBounded(response.body, body.limit, stop);
    if (read.overflowed && !body.truncate) throw bodyTooLarge(url, body.limit);
    const contentType = response.headers.get("content-type") ?? "";
    const { body: text, encoding } = encodeBody(read.bytes, contentType, read.overflowed);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return {
      url: url.href,
      status: response.status,
      status_text: response.statusText,
      headers,
      content_type: contentType,
      body: text,
      encoding,
      bytes: read.bytes.byteLength,
      truncated: read.overflowed,
      redirects,
    };
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badUrl(`'${text.slice(0, 200)}' is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badUrl(`must be http or https, not ${url.protocol.slice(0, -1)}`);
  if (url.username !== "" || url.password !== "") throw badUrl("must not carry credentials; send them in headers");
  return url;
}

function nextUrl(from: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw fetchFailed(new Error(`it redirected to '${location.slice(0, 200)}', which is not a URL`), from);
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") throw redirectSchemeRefused(from, location);
  next.username = "";
  next.password = "";
  return next;
}

function headersOf(given: JsonObject | undefined): Headers {
  const headers = new Headers();
  if (given === undefined) return headers;
  let bytes = 0;
  for (const [name, value] of Object.entries(given)) {
    if (forbiddenHeaders.has(name.toLowerCase())) throw badHeader(`'${name}' is set by http_get itself or not allowed`);
    bytes += name.length + String(value).length;
    if (bytes > maxHeaderBytes) throw badHeader(`more than ${maxHeaderBytes} bytes of headers`);
    try {
      headers.append(name, String(value));
    } catch {
      throw badHeader(`'${name.slice(0, 100)}' is not a valid header name or its value is not valid`);
    }
  }
  return headers;
}
