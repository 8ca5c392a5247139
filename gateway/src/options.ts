import type { Transport } from "@connectrpc/connect";
import type { ToolDefinition } from "@toolbridge/proto";
import type { Store } from "./store/store.js";
import { type Logger, createLogger } from "./log.js";

/** Everything createGateway takes. Only store, runtimeTransport and runtimeKey are required. */
export interface GatewayOptions {
  /** Sessions, variables, the runtime registry and API keys. The caller owns it (and closes it). */
  store: Store;
  /**
   * Opens a transport to a runtime's base URL. Injected so the core stays web-standard: connect-node
   * HTTP/2 on Node (adapter/node.ts), connect-web over fetch on Workers. Called once per URL.
   */
  runtimeTransport: (baseUrl: string) => Transport;
  /**
   * The runtime credential: runtimes send it to RegistryService, the gateway sends it to runtimes,
   * and it signs session tokens and call contexts (HS256). At least 16 characters.
   */
  runtimeKey: string;
  /**
   * TypeScript tools the gateway serves itself, in process (web-standard: they run on Workers too),
   * e.g. standardTools(). A gateway tool takes precedence over a runtime tool of the same name, and
   * session tools may not take its name (tools/gateway-tools.ts). Default none.
   */
  tools?: readonly ToolDefinition[];
  /** Serve API callers that send no key (as org "default", every tool). Off unless set. */
  insecure?: boolean;
  /**
   * Whether drain() ends variable watches and close() ends calls in flight, through AbortSignals the
   * gateway holds for its lifetime. Default true. The Workers adapter sets false: workerd ties every
   * AbortSignal to the request that made it, so a gateway that serves many requests cannot share
   * one (and isolates are never drained).
   */
  endCallsOnClose?: boolean;
  /** Idle expiry of a session whose InitializeSession gives none. Default 1 hour. */
  defaultSessionTtlMs?: number;
  /** Longest idle expiry a session may ask for. Default 24 hours. */
  maxSessionTtlMs?: number;
  /** How long this instance trusts that a session belongs to an org without asking the store. Default 2000. */
  sessionOwnerCacheMs?: number;
  /** How long a known API key's grant is cached. Default 5000. */
  apiKeyCacheMs?: number;
  /** How long an unknown API key is remembered as unknown. Default 1000. */
  unknownKeyCacheMs?: number;
  /** Most cached API keys, session owners and tokens (each). Default 10000. */
  cacheEntries?: number;
  /** A runtime silent this long drops out of the registry. Default 15000. */
  registryTtlMs?: number;
  /** How often runtimes are told to heartbeat. Default 5000. */
  heartbeatIntervalMs?: number;
  /** How long the list of live runtimes is reused before it is read again. Default 1000. */
  directoryCacheMs?: number;
  /** How long a runtime that refused a connection is skipped. Default 5000. */
  markDownMs?: number;
  /** Largest request or response message, in bytes. Default 10 MiB. */
  maxMessageBytes?: number;
  /** Longest deadline passed to a runtime; calls without one get it. Default 300000. */
  maxTimeoutMs?: number;
  /** Most calls in one BatchExecuteTools. Default 1000. */
  maxBatchCalls?: number;
  /** Calls of a batch in flight at once when it says 0. Default 16. */
  defaultBatchParallel?: number;
  /** Most calls of a batch in flight at once, whatever it says. Default 64. */
  maxBatchParallel?: number;
  /** Longest chain of nested tool calls (a tool calling a tool ...). Default 8. */
  maxCallDepth?: number;
  /** Lifetime of the signed call context sent to runtimes. Default maxTimeoutMs + 60000. */
  callContextTtlMs?: number;
  /** Lifetime of a session token whose request gives none. Default 300000. */
  defaultSessionTokenTtlMs?: number;
  /** Longest lifetime of a session token (also capped at the session's TTL). Default 3600000. */
  maxSessionTokenTtlMs?: number;
  /** How long CleanupSession waits for a runtime to release the session's state. Default 5000. */
  releaseTimeoutMs?: number;
  /**
   * URL prefixes a session tool's endpoint may have besides the URL of a registered runtime. The
   * gateway never sends the runtime key to them. Default none.
   */
  sessionToolEndpoints?: string[];
  /** Origins allowed to call from a browser; ["*"] unless set. */
  corsOrigins?: string[];
  /** Where to log; info to console.error unless set. */
  log?: Logger;
}

/** The options with every default filled in. */
export type ResolvedGatewayOptions = Required<GatewayOptions>;

const mib = 1024 * 1024;

/** The defaults of every optional field (callContextTtlMs follows maxTimeoutMs). */
export const gatewayDefaults = Object.freeze({
  insecure: false,
  endCallsOnClose: true,
  defaultSessionTtlMs: 3_600_000,
  maxSessionTtlMs: 24 * 3_600_000,
  sessionOwnerCacheMs: 2000,
  apiKeyCacheMs: 5000,
  unknownKeyCacheMs: 1000,
  cacheEntries: 10_000,
  registryTtlMs: 15_000,
  heartbeatIntervalMs: 5000,
  directoryCacheMs: 1000,
  markDownMs: 5000,
  maxMessageBytes: 10 * mib,
  maxTimeoutMs: 300_000,
  maxBatchCalls: 1000,
  defaultBatchParallel: 16,
  maxBatchParallel: 64,
  maxCallDepth: 8,
  defaultSessionTokenTtlMs: 300_000,
  maxSessionTokenTtlMs: 3_600_000,
  releaseTimeoutMs: 5000,
});

/** The options with defaults applied; throws a RangeError naming the first bad one. */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  if (options.store === undefined) throw new RangeError("store is required");
  if (typeof options.runtimeTransport !== "function") throw new RangeError("runtimeTransport is required");
  if (typeof options.runtimeKey !== "string" || options.runtimeKey.length < 16) {
    throw new RangeError("runtimeKey must be at least 16 characters");
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = {
    ...gatewayDefaults,
    tools: [],
    sessionToolEndpoints: [],
    corsOrigins: ["*"],
    log: createLogger(),
    ...defined,
  } as unknown as ResolvedGatewayOptions;
  resolved.callContextTtlMs = options.callContextTtlMs ?? resolved.maxTimeoutMs + 60_000;
  for (const name of Object.keys(gatewayDefaults) as (keyof typeof gatewayDefaults)[]) {
    const value = resolved[name];
    if (typeof value === "number" && !(Number.isSafeInteger(value) && value > 0)) {
      throw new RangeError(`${name} must be a positive integer; got ${value}`);
    }
  }
  if (resolved.defaultSessionTtlMs > resolved.maxSessionTtlMs) {
    throw new RangeError("defaultSessionTtlMs must not exceed maxSessionTtlMs");
  }
  if (resolved.defaultBatchParallel > resolved.maxBatchParallel) {
    throw new RangeError("defaultBatchParallel must not exceed maxBatchParallel");
  }
  return resolved;
}
