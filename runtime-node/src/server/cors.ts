import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { cors as connectCors } from "@connectrpc/connect";

/** Options of createCors. */
export interface CorsOptions {
  /** Origins allowed to call from a browser; "*" allows any. */
  origins: string[];
  /** How long a browser may cache a preflight answer, in seconds. Default 7200. */
  maxAgeSeconds?: number;
}

/** Sets CORS headers on a response; returns true when it answered the request itself (a preflight). */
export type CorsHandler = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => boolean;

/**
 * CORS for browsers on other origins: the headers Connect, gRPC-Web and our auth need (Authorization),
 * and the response headers and trailers a browser client must read (grpc-status, grpc-message, details).
 */
export function createCors(options: CorsOptions): CorsHandler {
  const any = options.origins.includes("*");
  const allowed = new Set(options.origins);
  const allowMethods = connectCors.allowedMethods.join(", ");
  const allowHeaders = [...connectCors.allowedHeaders, "Authorization", "Connect-Accept-Encoding", "Grpc-Timeout"].join(
    ", ",
  );
  const exposeHeaders = [...connectCors.exposedHeaders, "Grpc-Status-Details-Bin"].join(", ");
  const maxAge = String(options.maxAgeSeconds ?? 7200);

  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    if (!any && !allowed.has(origin)) {
      // Not allowed: no CORS headers, so the browser blocks the response; answer a preflight plainly.
      if (req.method === "OPTIONS") {
        res.writeHead(403);
        res.end();
        return true;
      }
      return false;
    }
    res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
    if (!any) res.setHeader("Vary", "Origin");
    if (req.method === "OPTIONS") {
      res.setHeader("Access-Control-Allow-Methods", allowMethods);
      res.setHeader("Access-Control-Allow-Headers", allowHeaders);
      res.setHeader("Access-Control-Max-Age", maxAge);
      res.writeHead(204);
      res.end();
      return true;
    }
    res.setHeader("Access-Control-Expose-Headers", exposeHeaders);
    return false;
  };
}
