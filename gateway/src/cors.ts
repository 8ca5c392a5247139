import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

// What browsers must be allowed to send and read for Connect and gRPC-Web calls (and REST).
const allowHeaders = [
  "Authorization",
  "Content-Type",
  "Connect-Protocol-Version",
  "Connect-Timeout-Ms",
  "Connect-Accept-Encoding",
  "Connect-Content-Encoding",
  "Grpc-Timeout",
  "X-Grpc-Web",
  "X-User-Agent",
  // An EventSource reconnecting after a GET stream's last event (rest/stream-query.ts).
  "Last-Event-ID",
];
const exposeHeaders = ["Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin", "Connect-Content-Encoding"];

/**
 * CORS for browser callers (hono/cors), applied only to requests that carry an Origin, so other
 * callers pay nothing. Credentials are bearer tokens, not cookies, so "*" is a safe default.
 */
export function corsMiddleware(origins: string[]): MiddlewareHandler {
  const handler = cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders,
    exposeHeaders,
    maxAge: 7200,
  });
  return (c, next) => (c.req.raw.headers.has("origin") ? handler(c, next) : next());
}
