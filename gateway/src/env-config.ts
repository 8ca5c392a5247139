// The part of the gateway's configuration that comes from environment variables, shared by both
// entry points: Node's main.ts (through config.ts, which adds flags) and the Workers adapter (from
// its env bindings). Web-standard, so it runs in workerd.
import { logLevels } from "@toolbridge/proto";
import type { LogLevel } from "./log.js";
import type { ApiKeyRecord } from "./store/store.js";
import { parseAllowlist } from "./tools/standard/address-policy.js";

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

/** A configuration problem, naming the flag or variable at fault. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** What the environment says, the same on Node and on Workers. */
export interface EnvConfig {
  /** The store to use. */
  store: StoreConfig;
  /** TOOLBRIDGE_RUNTIME_KEY: the runtime credential, when given. */
  runtimeKey: string | undefined;
  /** API keys to provision at start. */
  apiKeys: ApiKeyConfig[];
  /** TOOLBRIDGE_INSECURE=1: serve callers without an API key. */
  insecure: boolean;
  /** Least severe log level written. */
  logLevel: LogLevel;
  /** Largest message. */
  maxMessageBytes: number;
  /** Origins allowed from browsers. */
  corsOrigins: string[];
  /** URL prefixes allowed for session tool endpoints besides registered runtimes. */
  sessionToolEndpoints: string[];
  /** Store limits given in the environment (the rest keep their defaults). */
  limits: { maxSessions?: number; maxVariablesPerSession?: number };
  /** TOOLBRIDGE_STANDARD_TOOLS=0 leaves the standard tools (validate_json, format_datetime, validate_regex, http_get) out. */
  standardTools: boolean;
  /** TOOLBRIDGE_HTTP_GET_ALLOW: hosts (host or host:port) http_get may reach although they are not public. */
  httpGetAllow: string[];
}

/** The environment's part of the configuration; ConfigError on anything wrong. */
export function loadEnvConfig(env: Record<string, string | undefined>): EnvConfig {
  const logLevel = (env.TOOLBRIDGE_LOG_LEVEL ?? "info") as LogLevel;
  if (!logLevels.includes(logLevel)) throw new ConfigError(`log level must be one of ${logLevels.join(", ")}; got '${logLevel}'`);
  const runtimeKey = env.TOOLBRIDGE_RUNTIME_KEY;
  if (runtimeKey !== undefined && runtimeKey.length < 16) throw new ConfigError("TOOLBRIDGE_RUNTIME_KEY must be at least 16 characters");
  return {
    store: storeOf(env),
    runtimeKey,
    apiKeys: parseApiKeys(env.TOOLBRIDGE_API_KEYS ?? ""),
    insecure: env.TOOLBRIDGE_INSECURE === "1",
    logLevel,
    maxMessageBytes: parseInteger(env.TOOLBRIDGE_MAX_MESSAGE_BYTES ?? "10485760", "TOOLBRIDGE_MAX_MESSAGE_BYTES", 1024, 2 ** 30),
    corsOrigins: list(env.TOOLBRIDGE_CORS_ORIGINS ?? "*"),
    sessionToolEndpoints: list(env.TOOLBRIDGE_SESSION_TOOL_ENDPOINTS ?? ""),
    limits: {
      maxSessions: optionalInteger(env.TOOLBRIDGE_MAX_SESSIONS, "TOOLBRIDGE_MAX_SESSIONS"),
      maxVariablesPerSession: optionalInteger(env.TOOLBRIDGE_MAX_VARIABLES_PER_SESSION, "TOOLBRIDGE_MAX_VARIABLES_PER_SESSION"),
    },
    standardTools: flag(env.TOOLBRIDGE_STANDARD_TOOLS, "TOOLBRIDGE_STANDARD_TOOLS", true),
    httpGetAllow: allowlist(env.TOOLBRIDGE_HTTP_GET_ALLOW ?? ""),
  };
}

function flag(text: string | undefined, name: string, fallback: boolean): boolean {
  if (text === undefined || text === "") return fallback;
  if (text === "1" || text === "0") return text === "1";
  throw new ConfigError(`${name} must be 1 or 0; got '${text}'`);
}

function allowlist(text: string): string[] {
  const entries = list(text);
  try {
    parseAllowlist(entries);
  } catch (err) {
    throw new ConfigError(`TOOLBRIDGE_HTTP_GET_ALLOW: ${(err as Error).message}`);
  }
  return entries;
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

/** A whole number from min to max; ConfigError naming `name` otherwise. */
export function parseInteger(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got '${text}'`);
  return n;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function list(text: string): string[] {
  return text.split(",").map((item) => item.trim()).filter(Boolean);
}

function optionalInteger(text: string | undefined, name: string): number | undefined {
  return text === undefined || text === "" ? undefined : parseInteger(text, name, 1, 2 ** 31 - 1);
}
