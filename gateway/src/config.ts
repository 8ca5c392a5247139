import { parseArgs } from "node:util";
import type { LogLevel } from "./log.js";
import type { ApiKeyRecord } from "./store/store.js";

/** Where the gateway keeps its state, as configured. */
export type StoreConfig =
  | { kind: "memory" }
  | { kind: "redis"; url: string }
  | { kind: "upstash"; url: string; token: string };

/** An API key to provision at start, with its grant. */
export interface ApiKeyConfig {
  /** The key itself (only its hash reaches the store). */
  key: string;
  /** Its org and allowed tools. */
  record: ApiKeyRecord;
}

/** Everything the Node gateway is told at start-up, read once by main.ts. */
export interface GatewayConfig {
  /** Address to bind. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** The store to use. */
  store: StoreConfig;
  /** The runtime credential. */
  runtimeKey: string;
  /** True when the runtime key was generated for this run (and is printed once). */
  runtimeKeyGenerated: boolean;
  /** API keys to provision at start. */
  apiKeys: ApiKeyConfig[];
  /** Serve callers without an API key. */
  insecure: boolean;
  /** Least severe log level written. */
  logLevel: LogLevel;
  /** HTTP version of the connections to runtimes. */
  runtimeHttpVersion: "2" | "1.1";
  /** How Connect calls are served on Node: connect-node directly, or through the Hono app (to compare). */
  connectServing: "native" | "hono";
  /** Forward unary binary Connect ExecuteTool calls as bytes (TOOLBRIDGE_FAST_PATH=0 turns it off, to compare). */
  fastPath: boolean;
  /** Largest message. */
  maxMessageBytes: number;
  /** On SIGTERM, how long calls in flight may take to finish. */
  drainTimeoutMs: number;
  /** Origins allowed from browsers. */
  corsOrigins: string[];
  /** URL prefixes allowed for session tool endpoints besides registered runtimes. */
  sessionToolEndpoints: string[];
  /** Store limits given in the environment (the rest keep their defaults). */
  limits: { maxSessions?: number; maxVariablesPerSession?: number };
}

/** A configuration problem, naming the flag or variable at fault. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Usage text for --help. */
export const usage = `usage: node gateway/dist/src/main.js [options]

  --host <addr>           TOOLBRIDGE_GATEWAY_HOST         address to bind (127.0.0.1)
  --port <n>              TOOLBRIDGE_GATEWAY_PORT         port; 0 picks a free one (8080)
                          TOOLBRIDGE_REDIS_URL            redis:// URL: keep state in Redis (Redis protocol)
                          UPSTASH_REDIS_REST_URL, _TOKEN  keep state in Redis through Upstash's REST API
                                                          (neither: in memory, lost on exit)
                          TOOLBRIDGE_RUNTIME_KEY          runtime credential (generated and printed)
                          TOOLBRIDGE_API_KEYS             keys to provision: "key=org;key2=org2:tool,tool"
  --insecure              TOOLBRIDGE_INSECURE=1           serve callers that send no API key
  --log-level <level>     TOOLBRIDGE_LOG_LEVEL            debug, info, warn or error (info)
                          TOOLBRIDGE_RUNTIME_HTTP_VERSION 2 or 1.1: connections to runtimes (2)
                          TOOLBRIDGE_GATEWAY_CONNECT      native or hono: how Connect calls are served (native)
                          TOOLBRIDGE_FAST_PATH=0          no byte-forwarding fast path for unary ExecuteTool
                          TOOLBRIDGE_MAX_MESSAGE_BYTES    largest message (10485760)
                          TOOLBRIDGE_DRAIN_TIMEOUT_MS     time calls in flight get on SIGTERM (5000)
                          TOOLBRIDGE_CORS_ORIGINS         origins allowed from browsers, comma-separated (*)
                          TOOLBRIDGE_SESSION_TOOL_ENDPOINTS URL prefixes session tools may name, comma-separated
                          TOOLBRIDGE_MAX_SESSIONS         live sessions at once (10000)
                          TOOLBRIDGE_MAX_VARIABLES_PER_SESSION variables in one session (1000)
`;

/** True when the arguments ask for usage. */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

const logLevels: LogLevel[] = ["debug", "info", "warn", "error"];

/** The configuration from flags and environment; ConfigError on anything wrong. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): GatewayConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: { host: { type: "string" }, port: { type: "string" }, insecure: { type: "boolean" }, "log-level": { type: "string" } },
      strict: true,
    }).values;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const str = (flag: string, name: string, fallback: string) => (values[flag] as string | undefined) ?? env[name] ?? fallback;
  const port = integer(str("port", "TOOLBRIDGE_GATEWAY_PORT", "8080"), "port", 0, 65535);
  const logLevel = str("log-level", "TOOLBRIDGE_LOG_LEVEL", "info") as LogLevel;
  if (!logLevels.includes(logLevel)) throw new ConfigError(`log level must be one of ${logLevels.join(", ")}; got '${logLevel}'`);
  const runtimeHttpVersion = env.TOOLBRIDGE_RUNTIME_HTTP_VERSION ?? "2";
  if (runtimeHttpVersion !== "2" && runtimeHttpVersion !== "1.1") throw new ConfigError("TOOLBRIDGE_RUNTIME_HTTP_VERSION must be 2 or 1.1");
  const connectServing = env.TOOLBRIDGE_GATEWAY_CONNECT ?? "native";
  if (connectServing !== "native" && connectServing !== "hono") throw new ConfigError("TOOLBRIDGE_GATEWAY_CONNECT must be native or hono");
  const givenKey = env.TOOLBRIDGE_RUNTIME_KEY;
  if (givenKey !== undefined && givenKey.length < 16) throw new ConfigError("TOOLBRIDGE_RUNTIME_KEY must be at least 16 characters");
  return {
    host: str("host", "TOOLBRIDGE_GATEWAY_HOST", "127.0.0.1"),
    port,
    store: storeOf(env),
    runtimeKey: givenKey ?? randomKey(),
    runtimeKeyGenerated: givenKey === undefined,
    apiKeys: parseApiKeys(env.TOOLBRIDGE_API_KEYS ?? ""),
    insecure: values.insecure === true || env.TOOLBRIDGE_INSECURE === "1",
    logLevel,
    runtimeHttpVersion,
    connectServing,
    fastPath: env.TOOLBRIDGE_FAST_PATH !== "0",
    maxMessageBytes: integer(env.TOOLBRIDGE_MAX_MESSAGE_BYTES ?? "10485760", "TOOLBRIDGE_MAX_MESSAGE_BYTES", 1024, 2 ** 30),
    drainTimeoutMs: integer(env.TOOLBRIDGE_DRAIN_TIMEOUT_MS ?? "5000", "TOOLBRIDGE_DRAIN_TIMEOUT_MS", 0, 3_600_000),
    corsOrigins: list(env.TOOLBRIDGE_CORS_ORIGINS ?? "*"),
    sessionToolEndpoints: list(env.TOOLBRIDGE_SESSION_TOOL_ENDPOINTS ?? ""),
    limits: {
      maxSessions: optionalInteger(env.TOOLBRIDGE_MAX_SESSIONS, "TOOLBRIDGE_MAX_SESSIONS"),
      maxVariablesPerSession: optionalInteger(env.TOOLBRIDGE_MAX_VARIABLES_PER_SESSION, "TOOLBRIDGE_MAX_VARIABLES_PER_SESSION"),
    },
  };
}

function storeOf(env: Record<string, string | undefined>): StoreConfig {
  if (env.TOOLBRIDGE_REDIS_URL) {
    if (!/^rediss?:\/\//.test(env.TOOLBRIDGE_REDIS_URL)) throw new ConfigError("TOOLBRIDGE_REDIS_URL must start with redis:// or rediss://");
    return { kind: "redis", url: env.TOOLBRIDGE_REDIS_URL };
  }
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  if (url || token) {
    if (!url || !token) throw new ConfigError("set both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or neither");
    return { kind: "upstash", url, token };
  }
  return { kind: "memory" };
}

const orgPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/** API keys from "key=org" and "key=org:tool,tool" entries separated by ";" or newlines. */
export function parseApiKeys(spec: string): ApiKeyConfig[] {
  const keys: ApiKeyConfig[] = [];
  for (const entry of spec.split(/[;\n]/).map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf("=");
    const key = entry.slice(0, eq);
    if (eq < 0 || key.length < 16 || /\s/.test(key)) {
      throw new ConfigError(`TOOLBRIDGE_API_KEYS entry ${keys.length + 1}: expected key=org[:tools] with a key of 16 or more characters`);
    }
    const [org, tools] = splitOnce(entry.slice(eq + 1), ":");
    if (!orgPattern.test(org)) throw new ConfigError(`TOOLBRIDGE_API_KEYS entry ${keys.length + 1}: org must be 1-64 of A-Z a-z 0-9 _ . -`);
    const allowed = tools === undefined || tools.trim() === "*" ? "all" : list(tools);
    keys.push({ key, record: { orgId: org, allowedTools: allowed, label: "from TOOLBRIDGE_API_KEYS" } });
  }
  return keys;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function list(text: string): string[] {
  return text.split(",").map((item) => item.trim()).filter(Boolean);
}

function integer(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got '${text}'`);
  return n;
}

function optionalInteger(text: string | undefined, name: string): number | undefined {
  return text === undefined || text === "" ? undefined : integer(text, name, 1, 2 ** 31 - 1);
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}
