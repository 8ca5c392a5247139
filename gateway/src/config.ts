// The Node entry's configuration: its flags, plus the environment through env-config.ts (which the
// Workers adapter shares).
import { parseArgs } from "node:util";
import { ConfigError, type EnvConfig, loadEnvConfig, parseInteger } from "./env-config.js";

export { type ApiKeyConfig, ConfigError, parseApiKeys, type StoreConfig } from "./env-config.js";

/** Everything the Node gateway is told at start-up, read once by main.ts. */
export interface GatewayConfig extends Omit<EnvConfig, "runtimeKey"> {
  /** Address to bind. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** The runtime credential. */
  runtimeKey: string;
  /** True when the runtime key was generated for this run (and is printed once). */
  runtimeKeyGenerated: boolean;
  /** HTTP version of the connections to runtimes. */
  runtimeHttpVersion: "2" | "1.1";
  /** How Connect calls are served on Node: connect-node directly, or through the Hono app (to compare). */
  connectServing: "native" | "hono";
  /** Forward unary binary Connect ExecuteTool calls as bytes (TOOLBRIDGE_FAST_PATH=0 turns it off, to compare). */
  fastPath: boolean;
  /** On SIGTERM, how long calls in flight may take to finish. */
  drainTimeoutMs: number;
  /**
   * TOOLBRIDGE_TOOL_MODULES: ES modules exporting `tools` (defineTool definitions) the gateway serves
   * itself besides the standard tools; files (absolute or relative to the working directory) or package names.
   */
  toolModules: string[];
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
                          TOOLBRIDGE_STANDARD_TOOLS=0     no standard tools (validate_json, format_datetime,
                                                          validate_regex, http_get)
                          TOOLBRIDGE_HTTP_GET_ALLOW       hosts http_get may reach although not public,
                                                          comma-separated host or host:port (none)
                          TOOLBRIDGE_TOOL_MODULES         ES modules exporting \`tools\` (defineTool), served by
                                                          the gateway itself, comma-separated paths (none)
`;

/** True when the arguments ask for usage. */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

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
  const port = parseInteger(str("port", "TOOLBRIDGE_GATEWAY_PORT", "8080"), "port", 0, 65535);
  const logLevel = values["log-level"] as string | undefined;
  const shared = loadEnvConfig(logLevel === undefined ? env : { ...env, TOOLBRIDGE_LOG_LEVEL: logLevel });
  const runtimeHttpVersion = env.TOOLBRIDGE_RUNTIME_HTTP_VERSION ?? "2";
  if (runtimeHttpVersion !== "2" && runtimeHttpVersion !== "1.1") throw new ConfigError("TOOLBRIDGE_RUNTIME_HTTP_VERSION must be 2 or 1.1");
  const connectServing = env.TOOLBRIDGE_GATEWAY_CONNECT ?? "native";
  if (connectServing !== "native" && connectServing !== "hono") throw new ConfigError("TOOLBRIDGE_GATEWAY_CONNECT must be native or hono");
  return {
    ...shared,
    host: str("host", "TOOLBRIDGE_GATEWAY_HOST", "127.0.0.1"),
    port,
    runtimeKey: shared.runtimeKey ?? randomKey(),
    runtimeKeyGenerated: shared.runtimeKey === undefined,
    insecure: values.insecure === true || shared.insecure,
    runtimeHttpVersion,
    connectServing,
    fastPath: env.TOOLBRIDGE_FAST_PATH !== "0",
    drainTimeoutMs: parseInteger(env.TOOLBRIDGE_DRAIN_TIMEOUT_MS ?? "5000", "TOOLBRIDGE_DRAIN_TIMEOUT_MS", 0, 3_600_000),
    toolModules: (env.TOOLBRIDGE_TOOL_MODULES ?? "").split(",").map((spec) => spec.trim()).filter(Boolean),
  };
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}
