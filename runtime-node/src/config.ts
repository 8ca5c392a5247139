import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type LogLevel, logLevels } from "./log.js";

/** Everything the runtime is told at start-up (see brief runtime-cli.md), read once by the entry point. */
export interface RuntimeConfig {
  /** Address to bind. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Python modules or .py files with tools. */
  modules: string[];
  /** Directories for PYTHONPATH, the repository's python/ first. */
  pythonPath: string[];
  /** The Python executable. */
  python: string;
  /** Python worker processes. */
  workers: number;
  /** Calls in flight per worker before calls queue. */
  workerConcurrency: number;
  /** Calls that may wait; beyond, RESOURCE_EXHAUSTED. */
  maxQueue: number;
  /** Largest request or response message (payload) in bytes. */
  maxMessageBytes: number;
  /** Longest a call may run; also the deadline of calls that set none. */
  maxTimeoutMs: number;
  /** How long a cancelled tool may take to stop before its worker is recycled. */
  cancelGraceMs: number;
  /** On SIGTERM, how long in-flight calls may take to finish. */
  drainTimeoutMs: number;
  /** The key callers must send as a Bearer token; undefined when insecure. */
  key: string | undefined;
  /** True when the key was generated for this run (and must be printed once). */
  keyGenerated: boolean;
  /** PEM certificate and key contents, when TLS is configured. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** Origins allowed to call from a browser ("*" for any). */
  corsOrigins: string[];
  /** Least severe log level printed. */
  logLevel: LogLevel;
  /** Serve unary ExecuteTool through the runtime's fast path; TOOLBRIDGE_FAST_PATH=0 turns it off (to compare). */
  fastPath: boolean;
  /** The gateway to register with and to send callbacks to; undefined: none (standalone). */
  gatewayUrl: string | undefined;
  /** Where the gateway reaches this runtime; undefined: the listening URL. */
  publicUrl: string | undefined;
  /** ES modules exporting `tools` (TypeScript tool definitions) to serve. */
  tsModules: string[];
  /** Module prefixes the Python object bridge may use; none by default. */
  objectModules: string[];
  /** Longest chain of nested calls (as the gateway's). */
  maxCallDepth: number;
}

/** A configuration problem, with a message that names the flag or variable at fault. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Usage text for --help. */
export const usage = `usage: node runtime-node/dist/src/main.js [options]

  --host <addr>              TOOLBRIDGE_HOST              address to bind (127.0.0.1)
  --port <n>                 TOOLBRIDGE_PORT              port; 0 picks a free one (50051)
  --module <spec>            TOOLBRIDGE_MODULES           Python module or .py file with tools, repeatable (examples)
  --python-path <dir>        TOOLBRIDGE_PYTHON_PATH       extra PYTHONPATH directory, repeatable
  --python <exe>             TOOLBRIDGE_PYTHON            Python executable (python3)
  --workers <n>              TOOLBRIDGE_WORKERS           Python worker processes (number of CPUs)
  --worker-concurrency <n>   TOOLBRIDGE_WORKER_CONCURRENCY calls in flight per worker (16)
  --max-queue <n>            TOOLBRIDGE_MAX_QUEUE         calls that may wait (1024)
  --max-message-bytes <n>    TOOLBRIDGE_MAX_MESSAGE_BYTES largest request or response message (10485760)
  --max-timeout-ms <n>       TOOLBRIDGE_MAX_TIMEOUT_MS    longest a call may run (300000)
  --cancel-grace-ms <n>      TOOLBRIDGE_CANCEL_GRACE_MS   time a cancelled tool has to stop (2000)
  --drain-timeout-ms <n>     TOOLBRIDGE_DRAIN_TIMEOUT_MS  time in-flight calls have on SIGTERM (10000)
  --key <key>                TOOLBRIDGE_RUNTIME_KEY       key callers send as Authorization: Bearer (generated);
                                                          it also verifies the gateway's session tokens
  --insecure                 TOOLBRIDGE_INSECURE=1        serve without a key
  --tls-cert, --tls-key <f>  TOOLBRIDGE_TLS_CERT/_KEY     PEM files: TLS with ALPN instead of cleartext
  --cors-origin <origin>     TOOLBRIDGE_CORS_ORIGINS      origin allowed from browsers, repeatable (*)
  --log-level <level>        TOOLBRIDGE_LOG_LEVEL         debug, info, warn or error (info)
  --gateway-url <url>        TOOLBRIDGE_GATEWAY_URL       gateway to register with and send callbacks to (none)
  --public-url <url>         TOOLBRIDGE_PUBLIC_URL        URL the gateway reaches this runtime at (the listening URL)
  --ts-module <file>         TOOLBRIDGE_TS_MODULES        ES module exporting \`tools\` (TypeScript tools), repeatable
  --object-module <prefix>   TOOLBRIDGE_OBJECT_MODULES    module prefix the object bridge may use, repeatable (none)
  --max-call-depth <n>       TOOLBRIDGE_MAX_CALL_DEPTH    longest chain of nested tool calls (8)
`;

const flags = {
  host: { type: "string" },
  port: { type: "string" },
  module: { type: "string", multiple: true },
  "python-path": { type: "string", multiple: true },
  python: { type: "string" },
  workers: { type: "string" },
  "worker-concurrency": { type: "string" },
  "max-queue": { type: "string" },
  "max-message-bytes": { type: "string" },
  "max-timeout-ms": { type: "string" },
  "cancel-grace-ms": { type: "string" },
  "drain-timeout-ms": { type: "string" },
  key: { type: "string" },
  insecure: { type: "boolean" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "cors-origin": { type: "string", multiple: true },
  "log-level": { type: "string" },
  "gateway-url": { type: "string" },
  "public-url": { type: "string" },
  "ts-module": { type: "string", multiple: true },
  "object-module": { type: "string", multiple: true },
  "max-call-depth": { type: "string" },
  help: { type: "boolean" },
} as const;

/** True when the arguments ask for --help. */
export function wantsHelp(argv: string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/** Reads flags (taking precedence) and environment into a RuntimeConfig; throws ConfigError on bad input. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): RuntimeConfig {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (e) {
    throw new ConfigError(`${(e as Error).message} (see --help)`);
  }
  const str = (flag: keyof typeof flags, variable: string): string | undefined => {
    const v = values[flag];
    if (typeof v === "string") return v;
    const e = env[variable];
    return e === undefined || e === "" ? undefined : e;
  };
  const list = (flag: keyof typeof flags, variable: string, separator: string): string[] | undefined => {
    const v = values[flag];
    if (Array.isArray(v) && v.length > 0) return v;
    const e = env[variable];
    return e === undefined || e === "" ? undefined : e.split(separator).map((s) => s.trim()).filter((s) => s !== "");
  };
  const int = (flag: keyof typeof flags, variable: string, fallback: number, min: number, max: number): number => {
    const raw = str(flag, variable);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      const source = typeof values[flag] === "string" ? `--${flag}` : variable;
      throw new ConfigError(`${source} must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
    return n;
  };

  const insecureEnv = env.TOOLBRIDGE_INSECURE;
  const insecure = values.insecure === true || insecureEnv === "1" || insecureEnv === "true";
  let key = str("key", "TOOLBRIDGE_RUNTIME_KEY");
  if (insecure && values.key !== undefined) {
    throw new ConfigError("--key and --insecure exclude each other: serve with a key, or without one");
  }
  if (insecure) key = undefined;
  const keyGenerated = !insecure && key === undefined;
  if (keyGenerated) key = randomBytes(24).toString("base64url");

  const logLevel = (str("log-level", "TOOLBRIDGE_LOG_LEVEL") ?? "info") as LogLevel;
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of ${logLevels.join(", ")} (got "${logLevel}")`);
  }

  const certFile = str("tls-cert", "TOOLBRIDGE_TLS_CERT");
  const keyFile = str("tls-key", "TOOLBRIDGE_TLS_KEY");
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError("TLS needs both --tls-cert and --tls-key");
  }
  const tls =
    certFile !== undefined && keyFile !== undefined
      ? { cert: readPem(certFile, "--tls-cert"), key: readPem(keyFile, "--tls-key") }
      : undefined;

  const gatewayUrl = url(str("gateway-url", "TOOLBRIDGE_GATEWAY_URL"), "--gateway-url");
  const publicUrl = url(str("public-url", "TOOLBRIDGE_PUBLIC_URL"), "--public-url");
  if (gatewayUrl !== undefined && key === undefined) {
    throw new ConfigError(
      "--gateway-url needs the runtime key (the gateway's runtime credential), so it cannot be used with --insecure",
    );
  }

  return {
    host: str("host", "TOOLBRIDGE_HOST") ?? "127.0.0.1",
    port: int("port", "TOOLBRIDGE_PORT", 50051, 0, 65535),
    modules: list("module", "TOOLBRIDGE_MODULES", ",") ?? ["examples"],
    pythonPath: [defaultPythonDir(), ...(list("python-path", "TOOLBRIDGE_PYTHON_PATH", ":") ?? []).map((p) => resolve(p))],
    python: str("python", "TOOLBRIDGE_PYTHON") ?? "python3",
    workers: int("workers", "TOOLBRIDGE_WORKERS", availableParallelism(), 1, 256),
    workerConcurrency: int("worker-concurrency", "TOOLBRIDGE_WORKER_CONCURRENCY", 16, 1, 10_000),
    maxQueue: int("max-queue", "TOOLBRIDGE_MAX_QUEUE", 1024, 0, 1_000_000),
    maxMessageBytes: int("max-message-bytes", "TOOLBRIDGE_MAX_MESSAGE_BYTES", 10 * 1024 * 1024, 1024, 1024 ** 3),
    maxTimeoutMs: int("max-timeout-ms", "TOOLBRIDGE_MAX_TIMEOUT_MS", 300_000, 1, 24 * 3600_000),
    cancelGraceMs: int("cancel-grace-ms", "TOOLBRIDGE_CANCEL_GRACE_MS", 2000, 0, 3600_000),
    drainTimeoutMs: int("drain-timeout-ms", "TOOLBRIDGE_DRAIN_TIMEOUT_MS", 10_000, 0, 3600_000),
    key,
    keyGenerated,
    tls,
    corsOrigins: list("cors-origin", "TOOLBRIDGE_CORS_ORIGINS", ",") ?? ["*"],
    logLevel,
    fastPath: env.TOOLBRIDGE_FAST_PATH !== "0",
    gatewayUrl,
    publicUrl,
    tsModules: list("ts-module", "TOOLBRIDGE_TS_MODULES", ",") ?? [],
    objectModules: list("object-module", "TOOLBRIDGE_OBJECT_MODULES", ",") ?? [],
    maxCallDepth: int("max-call-depth", "TOOLBRIDGE_MAX_CALL_DEPTH", 8, 1, 64),
  };
}

// A base URL (http or https), without a trailing slash.
function url(raw: string | undefined, flag: string): string | undefined {
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${flag} must be a URL such as http://127.0.0.1:8080 (got "${raw}")`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(`${flag} must be an http:// or https:// URL (got "${raw}")`);
  }
  return raw.replace(/\/+$/, "");
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false }).values;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`cannot read ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The repository's python/ directory (holding the toolbridge package), found from this file's location. */
export function defaultPythonDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "python");
    if (existsSync(join(candidate, "toolbridge"))) return candidate;
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../../python");
}
