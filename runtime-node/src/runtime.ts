import type { IncomingMessage, ServerResponse } from "node:http";
import { hostname } from "node:os";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { ToolDefinition } from "@toolbridge/proto";
import { type Listener, listen, loadToolModules } from "@toolbridge/proto/node";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { createCallContexts } from "./auth/call-context.js";
import { createAdmit } from "./auth/call-grant.js";
import { createGatewayLink, type GatewayLink } from "./bridge/gateway-link.js";
import type { Logger } from "./log.js";
import { createObjectPolicy } from "./objects/object-policy.js";
import { spawnPythonWorker } from "./pool/worker.js";
import type { CallbackHandler } from "./pool/worker-interface.js";
import { createWorkerPool, type PoolLoad } from "./pool/worker-pool.js";
import { type Registration, startRegistration } from "./registry/registration.js";
import { runtimeRoutes } from "./runtime-routes.js";
import { assembleTools } from "./runtime-tools.js";
import {
  type Authenticator,
  createAuthInterceptor,
  createKeyAuthenticator,
  createOpenAuthenticator,
} from "./server/auth.js";
import { createCors } from "./server/cors.js";
import { createFastUnary, type FastUnary } from "./server/fast-unary/fast-unary.js";
import { readOnIfUnread } from "./server/read-on-if-unread.js";
import { createServingStatus } from "./services/health-service.js";
import type { ToolRunner } from "./services/tool-runner.js";

/** Options of createRuntime; main.ts fills them from RuntimeConfig. */
export interface RuntimeOptions {
  /** Address to bind. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** PEM certificate and key for TLS with ALPN; cleartext h1 + h2c without. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Python executable. */
  python: string;
  /** Python modules or .py files with tools. */
  modules: string[];
  /** PYTHONPATH directories; must include the one holding the toolbridge package. */
  pythonPath: string[];
  /** Python worker processes. */
  workers: number;
  /** Calls in flight per worker before calls queue. */
  workerConcurrency: number;
  /** Calls that may wait; beyond, RESOURCE_EXHAUSTED. */
  maxQueue: number;
  /** Largest request or response payload, in bytes. */
  maxMessageBytes: number;
  /** Longest a call may run; also the deadline of calls that set none. */
  maxTimeoutMs: number;
  /** How long a cancelled tool may take to stop before its worker is recycled. */
  cancelGraceMs: number;
  /** How long in-flight calls may take to finish when the runtime stops. */
  drainTimeoutMs: number;
  /** Key callers must send as `Authorization: Bearer <key>`; undefined serves without one (insecure). */
  key: string | undefined;
  /** Decides who may call, instead of `key` (which accepts the key, and session tokens signed with it). */
  authenticate?: Authenticator;
  /** Origins allowed to call from a browser ("*" for any). */
  corsOrigins: string[];
  /** Where the runtime logs. */
  log: Logger;
  /** Id reported in responses; default "rt-<hostname>-<port>". */
  runtimeId?: string;
  /** TypeScript tools (defineTool) served beside the Python ones, in this process. */
  tools?: readonly ToolDefinition[];
  /** ES modules exporting `tools` (TypeScript tool definitions), imported at start; a file path or a package. */
  tsModules?: readonly string[];
  /** The gateway: the runtime registers with it and sends it the callbacks it does not serve itself. */
  gatewayUrl?: string;
  /** Where the gateway reaches this runtime; default the listening URL. */
  publicUrl?: string;
  /** How to reach the gateway; default connect-node's Connect transport to gatewayUrl. */
  gatewayTransport?: Transport;
  /** How long to wait after a failed registration or heartbeat before trying again. Default 1000. */
  registrationRetryMs?: number;
  /** Module prefixes the Python object bridge may use (and its workers are told); none by default. */
  objectModules?: readonly string[];
  /** Longest chain of nested tool calls. Default 8, as the gateway's. */
  maxCallDepth?: number;
  /** How long a Python worker may take to start. Default 30000. */
  workerReadyTimeoutMs?: number;
  /** Environment of the Python workers; default process.env. The runtime key is always removed from it. */
  env?: NodeJS.ProcessEnv;
  /** Serve unary ExecuteTool through the fast path (server/fast-unary) rather than connect. Default true. */
  fastPath?: boolean;
}

/** What a started runtime reports. */
export interface RuntimeInfo {
  /** Base URL, e.g. http://127.0.0.1:50051. */
  url: string;
  /** The bound port. */
  port: number;
  /** "h1+h2c" or "h1+h2 tls". */
  protocols: string;
  /** Names of the tools served, in order. */
  tools: string[];
  /** The runtime's id. */
  id: string;
}

/** A runtime: Python workers and TypeScript tools behind ToolService, ObjectService, RuntimeService and Health on one port. */
export interface Runtime {
  /** Starts the workers, then listens. Rejects with a one-line reason when it cannot start. */
  start(): Promise<RuntimeInfo>;
  /** Drains: stops accepting, lets in-flight calls finish (bounded by drainTimeoutMs), stops the workers. */
  stop(): Promise<void>;
  /** Calls in flight and waiting. */
  load(): PoolLoad;
}

// Room for the fields around a payload in a message (tool name, args, ids, timings, envelope).
const messageOverheadBytes = 64 * 1024;
const batchLimits = { maxCalls: 1000, defaultParallel: 16, maxParallel: 256 };
const maxStreamBacklog = 10_000;
// Once calls have had their drain time, how long their error responses get to go out before sockets close.
const abortFlushMs = 1000;
const workerStopMs = 5000;

/** A Runtime with these options. Nothing starts until `start`. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { log, key, maxTimeoutMs, maxMessageBytes } = options;
  const objectPolicy = createObjectPolicy(options.objectModules ?? []);
  const env = { ...(options.env ?? process.env) };
  delete env.TOOLBRIDGE_RUNTIME_KEY;
  env.PYTHONPATH = [...options.pythonPath, ...(env.PYTHONPATH ? [env.PYTHONPATH] : [])].join(":");
  env.TOOLBRIDGE_MAX_MESSAGE_BYTES = String(maxMessageBytes);
  env.TOOLBRIDGE_OBJECT_MODULES = objectPolicy.prefixes.join(",");
  // The workers exist before the tools that serve their callbacks: the handler is set once those exist.
  let callbacks: CallbackHandler = (_request, responder) =>
    responder.fail(new ConnectError("the runtime is still starting", Code.Unavailable));

  const pool = createWorkerPool({
    size: options.workers,
    concurrency: options.workerConcurrency,
    maxQueue: options.maxQueue,
    cancelGraceMs: options.cancelGraceMs,
    log,
    spawn: (index) =>
      spawnPythonWorker({
        index,
        python: options.python,
        modules: options.modules,
        env,
        maxMessageBytes,
        readyTimeoutMs: options.workerReadyTimeoutMs ?? 30_000,
        callbacks: (request, responder) => callbacks(request, responder),
        log,
      }),
  });
  const status = createServingStatus();
  const shutdown = new AbortController();
  // Call contexts live long enough for the longest call, twice over (see createCallContexts' reuse).
  const contexts = key === undefined ? undefined : createCallContexts({ key, ttlMs: 2 * maxTimeoutMs + 120_000 });
  let gateway: GatewayLink | undefined;
  let listener: Listener | undefined;
  let runner: ToolRunner | undefined;
  let fastUnary: FastUnary | undefined;
  let registration: Registration | undefined;
  let stopping: Promise<void> | undefined;

  async function start(): Promise<RuntimeInfo> {
    if (options.gatewayUrl !== undefined) {
      if (key === undefined) throw new Error("a gateway needs the runtime key, and this runtime has none (--insecure)");
      gateway = createGatewayLink({ url: options.gatewayUrl, key, transport: options.gatewayTransport });
    }
    // TypeScript modules first: a module that does not load stops the start before any worker is spawned.
    const definitions = [...(options.tools ?? []), ...(await loadToolModules(options.tsModules ?? []))];
    const pythonTools = await pool.start();
    try {
      // The id names the port, which is known only after listening; the runner reads it lazily.
      let runtimeId = options.runtimeId ?? "";
      const tools = assembleTools({
        pythonTools,
        pool,
        definitions,
        admit: createAdmit({ contexts, maxDepth: options.maxCallDepth ?? 8 }),
        gateway,
        runtimeId: () => runtimeId,
        maxTimeoutMs,
        maxMessageBytes,
        log,
      });
      callbacks = tools.callbacks;
      runner = tools.runner;
      const authenticate =
        options.authenticate ?? (key === undefined ? createOpenAuthenticator() : createKeyAuthenticator(key, contexts));
      const cors = createCors({ origins: options.corsOrigins });
      const routes = runtimeRoutes({
        tools,
        pool,
        objectPolicy,
        status,
        batch: batchLimits,
        maxStreamBacklog,
        maxTimeoutMs,
        maxMessageBytes,
        workers: options.workers,
      });
      const readMaxBytes = maxMessageBytes + messageOverheadBytes;
      const writeMaxBytes = readMaxBytes;
      const fast =
        options.fastPath === false
          ? undefined
          : createFastUnary({ runner: tools.runner, authenticate, readMaxBytes, writeMaxBytes });
      fastUnary = fast;
      const connect = connectNodeAdapter({
        routes,
        interceptors: [createAuthInterceptor({ authenticate, openServices: [Health.typeName] })],
        readMaxBytes,
        writeMaxBytes,
        // Requests may come compressed; responses go out as they are (payloads are often compressed already,
        // and on the short hops a runtime serves, gzip costs more time than it saves).
        compressMinBytes: Number.MAX_SAFE_INTEGER,
        shutdownSignal: shutdown.signal,
      });
      listener = await listen({
        host: options.host,
        port: options.port,
        tls: options.tls,
        maxMessageBytes,
        handler: (req, res) => {
          if (cors(req, res)) return;
          if (req.httpVersionMajor === 1) {
            if (fast?.http1(req as IncomingMessage, res as ServerResponse)) return;
            readOnIfUnread(req as IncomingMessage, res as ServerResponse, 4 * readMaxBytes);
          }
          connect(req, res);
        },
        http2Stream: fast === undefined ? undefined : (stream, headers) => fast.http2(stream, headers),
      }).catch((e: NodeJS.ErrnoException) => {
        const why = e.code === "EADDRINUSE" ? "the address is already in use" : e.message;
        throw new Error(`cannot listen on ${options.host}:${options.port}: ${why}`);
      });
      if (runtimeId === "") runtimeId = `rt-${hostname()}-${listener.port}`;
      status.set(Status.SERVING);
      if (gateway !== undefined) {
        registration = startRegistration({
          gatewayUrl: gateway.url,
          transport: gateway.transport,
          key: gateway.key,
          runtime: {
            id: runtimeId,
            url: options.publicUrl ?? listener.url,
            tools: tools.catalog.list(),
            capacity: { workers: options.workers, workerConcurrency: options.workerConcurrency, maxQueue: options.maxQueue },
          },
          load: () => pool.load(),
          log,
          retryMs: options.registrationRetryMs,
        });
      }
      return {
        url: listener.url,
        port: listener.port,
        protocols: listener.protocols,
        tools: tools.catalog.list().map((t) => t.name),
        id: runtimeId,
      };
    } catch (e) {
      await pool.stop(0);
      await listener?.destroy();
      throw e;
    }
  }

  async function drain(): Promise<void> {
    status.set(Status.NOT_SERVING);
    // Leave the gateway first, so that it stops sending calls here while the ones in flight finish.
    await registration?.stop();
    listener?.shutdown();
    if (runner !== undefined) {
      const drained = runner.drain();
      if (!(await within(drained, options.drainTimeoutMs))) {
        log.warn(`${runner.inFlight()} calls did not finish within ${options.drainTimeoutMs} ms; cancelling them`);
      }
      const reason = new ConnectError("the runtime is shutting down", Code.Unavailable);
      shutdown.abort(reason);
      fastUnary?.cancelAll(reason);
      await within(drained, abortFlushMs);
    } else {
      shutdown.abort();
    }
    await pool.stop(workerStopMs);
    await listener?.destroy();
  }

  return {
    start,
    stop() {
      stopping ??= drain();
      return stopping;
    },
    load: () => pool.load(),
  };
}

// Waits for `promise` at most `ms`; true when it settled in time.
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
