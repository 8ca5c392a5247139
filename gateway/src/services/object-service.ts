import type { CallOptions, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import type { ObjectRouter } from "../routing/object-router.js";
import type { RuntimeClients } from "../routing/runtime-clients.js";
import type { SessionAccess } from "../sessions/session-access.js";
import { principalOf } from "./principal-of.js";

/** Options of createObjectService. */
export interface ObjectServiceOptions {
  /** Session ownership (and its sliding TTL). */
  sessions: SessionAccess;
  /** Where each session's objects are. */
  router: ObjectRouter;
  /** Clients by runtime URL. */
  clients: RuntimeClients;
  /** The runtime credential sent to runtimes. */
  runtimeKey: string;
  /** Longest deadline passed on; requests without one get it. */
  maxTimeoutMs: number;
}

/**
 * toolbridge.v1.ObjectService on the gateway: each RPC goes, as it came, to the runtime that holds
 * the session's objects (object-router.ts), after the same ownership check as variables (another
 * org's session is NOT_FOUND; a call context reaches only its own session). The runtime checks the
 * module prefixes and names. DiscoverSchema names no session and goes to any live runtime.
 */
export function createObjectService(options: ObjectServiceOptions): ServiceImpl<typeof ObjectService> {
  const { sessions, router, clients } = options;
  const authorization = `Bearer ${options.runtimeKey}`;

  const callOptions = (context: HandlerContext): CallOptions => ({
    headers: { authorization },
    signal: context.signal,
    timeoutMs: Math.min(context.timeoutMs() ?? options.maxTimeoutMs, options.maxTimeoutMs),
  });
  const session = (context: HandlerContext, sessionId: string) => sessions.touch(principalOf(context), sessionId);

  return {
    async createInstance(request, context) {
      const record = await session(context, request.sessionId);
      return router.create(record, (rt) => clients.get(rt.url).objects.createInstance(request, callOptions(context)), context.signal);
    },

    async callMethod(request, context) {
      const record = await session(context, request.sessionId);
      return router.onObjects(record, "CallMethod", (rt) => clients.get(rt.url).objects.callMethod(request, callOptions(context)), context.signal);
    },

    async getObject(request, context) {
      const record = await session(context, request.sessionId);
      return router.onObjects(record, "GetObject", (rt) => clients.get(rt.url).objects.getObject(request, callOptions(context)), context.signal);
    },

    async listObjects(request, context) {
      const record = await session(context, request.sessionId);
      if (!router.hasPlace(record)) return { objects: [] };
      return router.onObjects(record, "ListObjects", (rt) => clients.get(rt.url).objects.listObjects(request, callOptions(context)), context.signal);
    },

    async deleteObject(request, context) {
      const record = await session(context, request.sessionId);
      return router.onObjects(record, "DeleteObject", (rt) => clients.get(rt.url).objects.deleteObject(request, callOptions(context)), context.signal);
    },

    async discoverSchema(request, context) {
      principalOf(context);
      return router.anywhere("DiscoverSchema", (rt) => clients.get(rt.url).objects.discoverSchema(request, callOptions(context)), context.signal);
    },
  };
}
