import { ConnectError } from "@connectrpc/connect";
import { Health } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { RegistryService } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { SessionService } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { VariableService } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type Access, type Authorize, createAuthorize } from "./auth/access.js";
import { type Authenticate, createAuthenticate } from "./auth/authenticate.js";
import { createCallContexts } from "./auth/call-context.js";
import { createAuthInterceptor } from "./auth/interceptor.js";
import { createJwtSigner } from "./auth/jwt-signer.js";
import { type AuthVariables, authMiddleware } from "./auth/middleware.js";
import { queryTokenAuthMiddleware } from "./auth/query-token.js";
import { type ConnectServing, mountConnect } from "./connect/mount.js";
import { corsMiddleware } from "./cors.js";
import { type GatewayOptions, resolveGatewayOptions } from "./options.js";
import { bodyTooLarge, restError, restStatus } from "./rest/errors.js";
import { executeRoute } from "./rest/execute.js";
import { healthzRoute } from "./rest/healthz.js";
import { resolveRoute } from "./rest/resolve.js";
import { streamRoute } from "./rest/stream.js";
import { streamQueryGuard, streamQueryRoute } from "./rest/stream-query.js";
import { createCallRouter } from "./routing/call-router.js";
import { createObjectRouter } from "./routing/object-router.js";
import { createRuntimeDirectory } from "./routing/directory.js";
import { createRuntimePicker } from "./routing/picker.js";
import { createRuntimeClients } from "./routing/runtime-clients.js";
import { createToolDispatch, type ToolDispatch } from "./routing/tool-dispatch.js";
import { shuttingDown } from "./services/errors.js";
import { createHealthService, createServingState } from "./services/health-service.js";
import { createObjectService } from "./services/object-service.js";
import { createRegistryService } from "./services/registry-service.js";
import { createSessionService } from "./services/session-service.js";
import { createToolService } from "./services/tool-service.js";
import { createVariableService } from "./services/variable-service.js";
import { createSessionReleaser } from "./sessions/release-session.js";
import { createSessionAccess } from "./sessions/session-access.js";
import { createSessionVariables } from "./sessions/session-variables.js";
import { createGatewayToolCatalog } from "./tools/gateway-tools.js";
import { createGatewayToolRunner } from "./tools/run-gateway-tool.js";

/** What a native adapter needs to serve calls with the gateway's own rules. */
export interface GatewayCore {
  /** The one authentication (API keys, the runtime credential, call contexts). */
  authenticate: Authenticate;
  /** Authentication plus each service's access rule, as the Connect interceptor applies them. */
  authorize: Authorize;
  /** Checks, routes and forwards tool calls. */
  dispatch: ToolDispatch;
  /** Largest request or response message the gateway takes, in bytes (with room for the envelope). */
  maxMessageBytes: number;
  /** Aborts when the gateway closes: calls still running end. */
  shutdown: AbortSignal;
}

/** A gateway: a Hono app to serve, and its life cycle. */
export interface Gateway {
  /**
   * The app: Connect and gRPC-Web at /toolbridge.v1.<Service>/<Method> (ToolService, SessionService,
   * VariableService, ObjectService, RegistryService) and /grpc.health.v1.Health/...,
   * REST at /cluster-tools/execute, /cluster-tools/resolve, /v1/tools/{name}:stream (POST, and GET
   * for EventSource with `args` and a session token in the query) and /healthz.
   * Serve `app.fetch` (adapter/node.ts on Node, the default export on Workers) or call `app.request` in tests.
   */
  readonly app: Hono<{ Variables: AuthVariables }>;
  /**
   * The Connect services and their options, as mounted on `app`. An adapter may serve them with a
   * runtime's native Connect adapter instead (adapter/node.ts does, for speed); `app` serves the rest.
   */
  readonly connect: ConnectServing;
  /**
   * The authentication and the tool dispatch behind the services, for an adapter that serves some
   * calls natively (adapter/node-fast-execute.ts forwards unary ExecuteTool bytes through them).
   */
  readonly core: GatewayCore;
  /** Starts stopping: health turns NOT_SERVING and variable watches end; other calls go on. */
  drain(): void;
  /** Ends every call still running with UNAVAILABLE. The store is the caller's to close. */
  close(): Promise<void>;
}

// Room for the fields around a payload (names, ids, envelope) on top of the message limit.
const messageOverheadBytes = 64 * 1024;

const serviceAccess = new Map<string, Access>([
  [Health.typeName, "open"],
  [RegistryService.typeName, "runtime"],
]);

/** A Gateway with these options; nothing listens until the app is served. */
export function createGateway(options: GatewayOptions): Gateway {
  const o = resolveGatewayOptions(options);
  const { store, log } = o;
  const signer = createJwtSigner(o.runtimeKey);
  const callContexts = createCallContexts({ signer, ttlMs: o.callContextTtlMs, maxDepth: o.maxCallDepth, maxEntries: o.cacheEntries });
  const authenticate = createAuthenticate({
    keys: store,
    runtimeKey: o.runtimeKey,
    callContexts,
    insecure: o.insecure,
    keyCacheMs: o.apiKeyCacheMs,
    unknownKeyCacheMs: o.unknownKeyCacheMs,
    maxEntries: o.cacheEntries,
  });
  const authorize = createAuthorize(authenticate, serviceAccess);
  const directory = createRuntimeDirectory({ registry: store, cacheMs: o.directoryCacheMs, log });
  const picker = createRuntimePicker({ markDownMs: o.markDownMs });
  const clients = createRuntimeClients(o.runtimeTransport);
  const router = createCallRouter({ directory, picker, log });
  const sessions = createSessionAccess({ store, ownerCacheMs: o.sessionOwnerCacheMs, maxEntries: o.cacheEntries });
  const variables = createSessionVariables({ store, sessions });
  const gatewayTools = createGatewayToolCatalog(o.tools);
  // The tools' nested calls go through the dispatch that runs them (made just below).
  const runner = createGatewayToolRunner({
    calls: { execute: (...args) => dispatch.execute(...args), stream: (...args) => dispatch.stream(...args) },
    variables,
    maxTimeoutMs: o.maxTimeoutMs,
  });
  const dispatch: ToolDispatch = createToolDispatch({
    router,
    directory,
    picker,
    clients,
    sessions,
    state: store,
    callContexts,
    runtimeKey: o.runtimeKey,
    maxTimeoutMs: o.maxTimeoutMs,
    sessionToolEndpoints: o.sessionToolEndpoints,
    gatewayTools,
    runner,
    log,
  });
  const serving = createServingState();
  const watchesEnd = new AbortController();
  const shutdown = new AbortController();
  const maxBytes = o.maxMessageBytes + messageOverheadBytes;

  const app = new Hono<{ Variables: AuthVariables }>();
  app.onError((err, c) => {
    if (!(err instanceof ConnectError)) log.error(`unexpected failure on ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return c.json({ success: false, error: restError(err) }, restStatus(err) as 400);
  });
  app.use("*", corsMiddleware(o.corsOrigins));

  app.get("/healthz", healthzRoute(serving));
  const limit = bodyLimit({ maxSize: maxBytes, onError: () => Promise.reject(bodyTooLarge(maxBytes)) });
  const auth = authMiddleware(authenticate);
  app.post("/cluster-tools/execute", limit, auth, executeRoute(dispatch));
  app.post("/cluster-tools/resolve", limit, auth, resolveRoute(dispatch));
  app.post("/v1/tools/:spec", limit, auth, streamRoute(dispatch));
  app.get("/v1/tools/:spec", streamQueryGuard(), queryTokenAuthMiddleware(authenticate, signer), streamQueryRoute(dispatch));

  // Made once: every way of serving them (the Hono mount, connect-node, the fast paths) shares these.
  const toolService = createToolService({
    dispatch,
    batch: { maxCalls: o.maxBatchCalls, defaultParallel: o.defaultBatchParallel, maxParallel: o.maxBatchParallel },
  });
  const sessionService = createSessionService({
    store,
    sessions,
    directory,
    release: createSessionReleaser({ directory, clients, runtimeKey: o.runtimeKey, timeoutMs: o.releaseTimeoutMs, log }),
    signer,
    sessionToolEndpoints: o.sessionToolEndpoints,
    gatewayTools,
    defaultTtlMs: o.defaultSessionTtlMs,
    maxTtlMs: o.maxSessionTtlMs,
    defaultTokenTtlMs: o.defaultSessionTokenTtlMs,
    maxTokenTtlMs: o.maxSessionTokenTtlMs,
  });
  const variableService = createVariableService({ variables, shutdown: o.endCallsOnClose ? watchesEnd.signal : undefined });
  const registryService = createRegistryService({
    registry: store,
    directory,
    clients,
    ttlMs: o.registryTtlMs,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    gatewayTools,
    log,
  });
  const objectService = createObjectService({
    sessions,
    router: createObjectRouter({ directory, picker, state: store, log }),
    clients,
    runtimeKey: o.runtimeKey,
    maxTimeoutMs: o.maxTimeoutMs,
  });
  const served = [ToolService.typeName, SessionService.typeName, VariableService.typeName, ObjectService.typeName, RegistryService.typeName];
  const healthService = createHealthService(serving, served);
  const connect: ConnectServing = {
    routes(r) {
      r.service(ToolService, toolService);
      r.service(SessionService, sessionService);
      r.service(VariableService, variableService);
      r.service(ObjectService, objectService);
      r.service(RegistryService, registryService);
      r.service(Health, healthService);
    },
    interceptors: [createAuthInterceptor(authorize)],
    readMaxBytes: maxBytes,
    writeMaxBytes: maxBytes,
    shutdownSignal: o.endCallsOnClose ? shutdown.signal : undefined,
  };
  mountConnect(app, connect);

  return {
    app,
    connect,
    core: { authenticate, authorize, dispatch, maxMessageBytes: maxBytes, shutdown: shutdown.signal },
    drain() {
      serving.drain();
      watchesEnd.abort();
    },
    async close() {
      serving.drain();
      watchesEnd.abort();
      shutdown.abort(shuttingDown());
    },
  };
}
