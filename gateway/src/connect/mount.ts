import { type ConnectRouter, type ConnectRouterOptions, createConnectRouter } from "@connectrpc/connect";
import { universalServerRequestFromFetch, universalServerResponseToFetch } from "@connectrpc/connect/protocol";
import type { Hono } from "hono";

/** Connect services and the router options to serve them with (interceptors, limits, shutdown signal). */
export interface ConnectServing extends Omit<ConnectRouterOptions, "grpc"> {
  /** Registers the services. */
  routes: (router: ConnectRouter) => void;
}

/**
 * Serves connect-es handlers from a Hono app through the fetch API: Connect (binary and JSON) and
 * gRPC-Web, unary and server streaming. Plain gRPC is off: it needs HTTP trailers, which a fetch
 * Response cannot send. Each RPC gets its own route (POST, and GET for Connect's side-effect-free
 * calls), so unknown paths fall through to Hono's 404.
 */
export function mountConnect<E extends object>(app: Hono<E>, options: ConnectServing): void {
  const { routes, ...routerOptions } = options;
  const router = createConnectRouter({ ...routerOptions, grpc: false });
  routes(router);
  for (const handler of router.handlers) {
    app.on(handler.allowedMethods, handler.requestPath, async (c) => {
      const response = await handler(universalServerRequestFromFetch(c.req.raw, {}));
      return universalServerResponseToFetch(response);
    });
  }
}
