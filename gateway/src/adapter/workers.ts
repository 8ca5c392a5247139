// Cloudflare Workers wiring of the web-standard gateway: the configuration from the Worker's env
// bindings (read once per isolate, parsed like the Node entry's environment), the Upstash store,
// connect-web transports to runtimes over fetch, and the Workers fetch handler (whose factory a
// Worker entry of one's own calls to serve its own tools).
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { codeToName, type ToolDefinition } from "@toolbridge/proto";
import type { ExecutionContext } from "hono";
import { provisionApiKey } from "../auth/api-keys.js";
import { ConfigError, type EnvConfig, loadEnvConfig } from "../env-config.js";
import { createGateway, type Gateway } from "../gateway.js";
import { createLogger } from "../log.js";
import { restStatus } from "../rest/errors.js";
import { createUpstashStore } from "../store/upstash-store.js";
import { standardTools } from "../tools/standard/index.js";

/** The Worker's bindings: vars and secrets (infra/wrangler.toml lists them). Non-string bindings are ignored. */
export type WorkersEnv = Record<string, unknown>;

/** What a Worker runs with: the environment's configuration, with the Upstash store and the runtime key given. */
export interface WorkersConfig extends Omit<EnvConfig, "store" | "runtimeKey"> {
  /** The Upstash database (or the local REST front of infra/upstash-rest). */
  store: { kind: "upstash"; url: string; token: string };
  /** The runtime credential. */
  runtimeKey: string;
}

/** The Worker's configuration from its bindings; ConfigError when something is wrong or missing. */
export function loadWorkersConfig(env: WorkersEnv): WorkersConfig {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === "string") strings[name] = value;
  const config = loadEnvConfig(strings);
  // A memory store would be one isolate's, and isolates come and go; the Redis protocol needs sockets.
  if (config.store.kind !== "upstash") {
    throw new ConfigError(
      config.store.kind === "redis"
        ? "TOOLBRIDGE_REDIS_URL is for the Node gateway; on Workers set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN"
        : "set UPSTASH_REDIS_REST_URL (a var) and UPSTASH_REDIS_REST_TOKEN (wrangler secret put): Workers keep state in Upstash",
    );
  }
  // Isolates cannot share a generated key, and runtimes must know it: it has to be given.
  if (config.runtimeKey === undefined) throw new ConfigError("set TOOLBRIDGE_RUNTIME_KEY (wrangler secret put TOOLBRIDGE_RUNTIME_KEY)");
  return { ...config, store: config.store, runtimeKey: config.runtimeKey };
}

/**
 * A connect-web transport to a runtime (Connect protocol, binary). workerd rejects the
 * `redirect: "error"` connect-web asks fetch for; runtimes never redirect, so "manual" is the same.
 */
export function workersRuntimeTransport(baseUrl: string): Transport {
  return createConnectTransport({
    baseUrl,
    useBinaryFormat: true,
    fetch: (input, init) => fetch(input, { ...init, redirect: "manual" }),
  });
}

/** A gateway built from a Worker's bindings. */
export interface WorkersGateway {
  /** The gateway. */
  readonly gateway: Gateway;
  /**
   * Writes TOOLBRIDGE_API_KEYS (by hash) to the store once, so the keys exist before the first call
   * is checked. Every isolate writes the same records, which is harmless. A failure is tried again
   * on the next call.
   */
  provisioned(): Promise<void>;
}

/** What a Worker entry gives createWorkersHandler (and createWorkersGateway) besides its bindings. */
export interface WorkersHandlerOptions {
  /**
   * TypeScript tools the gateway serves itself (defineTool from @toolbridge/proto), after the
   * standard tools (TOOLBRIDGE_STANDARD_TOOLS=0 leaves those out). Web-standard only: they run in
   * workerd, which has no Node modules. Their names must differ from each other's and from the
   * standard tools'; an ill-defined tool or a name taken twice is a misconfiguration, answered to
   * every request like a bad binding. Default none.
   */
  tools?: readonly ToolDefinition[];
}

/** The gateway of these bindings (no I/O yet); ConfigError when they, or the tools given, are wrong. */
export function createWorkersGateway(env: WorkersEnv, options: WorkersHandlerOptions = {}): WorkersGateway {
  const config = loadWorkersConfig(env);
  const store = createUpstashStore({ url: config.store.url, token: config.store.token, limits: config.limits });
  let gateway: Gateway;
  try {
    gateway = createGateway({
      store,
      runtimeTransport: workersRuntimeTransport,
      runtimeKey: config.runtimeKey,
      insecure: config.insecure,
      maxMessageBytes: config.maxMessageBytes,
      corsOrigins: config.corsOrigins,
      sessionToolEndpoints: config.sessionToolEndpoints,
      log: createLogger({ level: config.logLevel }),
      endCallsOnClose: false,
      // http_get goes out through the Worker's fetch, which cannot reach private networks.
      tools: [...(config.standardTools ? standardTools({ httpGet: { allow: config.httpGetAllow } }) : []), ...(options.tools ?? [])],
    });
  } catch (err) {
    // The options come from the bindings, checked above, and from the entry's tools: what is left to
    // refuse (INVALID_ARGUMENT from defineTool, a RangeError from the tool catalog) is the tools'.
    if (err instanceof ConnectError) throw new ConfigError(`the Worker's tools: ${err.rawMessage}`);
    if (err instanceof RangeError) throw new ConfigError(`the Worker's tools: ${err.message}`);
    throw err;
  }
  let provisioning: Promise<void> | undefined;
  return {
    gateway,
    provisioned() {
      provisioning ??= Promise.all(config.apiKeys.map(({ key, record }) => provisionApiKey(store, key, record))).then(
        () => {},
        (err: unknown) => {
          provisioning = undefined;
          throw err;
        },
      );
      return provisioning;
    },
  };
}

/** A Workers fetch handler. */
export interface WorkersHandler {
  fetch(request: Request, env: WorkersEnv, ctx: ExecutionContext): Promise<Response>;
}

/**
 * A fetch handler that builds its gateway from the bindings of its first request and keeps it for
 * the isolate's life. (It cannot be built at module scope: workerd allows no random values or
 * AbortControllers there.) A configuration error is answered to every request, and logged once.
 *
 * A Worker entry of one's own serves its tools with it: `export default createWorkersHandler({ tools: [myTool] })`.
 */
export function createWorkersHandler(options: WorkersHandlerOptions = {}): WorkersHandler {
  let built: WorkersGateway | ConfigError | undefined;
  return {
    async fetch(request, env, ctx) {
      if (built === undefined) {
        try {
          built = createWorkersGateway(env, options);
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          console.error(`toolbridge gateway error: invalid configuration: ${err.message}`);
          built = err;
        }
      }
      if (built instanceof ConfigError) return startFailure(built);
      try {
        await built.provisioned();
      } catch (err) {
        return startFailure(err);
      }
      return built.gateway.app.fetch(request, env, ctx);
    },
  };
}

// The Connect error body ({code, message}) with the code's HTTP status; Connect clients read it as is.
function startFailure(err: unknown): Response {
  let error: ConnectError;
  if (err instanceof ConfigError) error = new ConnectError(`the gateway is misconfigured: ${err.message}`, Code.FailedPrecondition);
  else {
    error = new ConnectError(`the gateway cannot reach its store: ${ConnectError.from(err).rawMessage}`, Code.Unavailable);
    console.error(`toolbridge gateway error: ${error.rawMessage}`);
  }
  return Response.json({ code: codeToName(error.code), message: error.rawMessage }, { status: restStatus(error) });
}

/** The Workers entry point (infra/wrangler.toml's `main`): one gateway per isolate, configured once, with the standard tools. */
export default createWorkersHandler();
