// @ts-check
// Turning requests into Redis arguments and Redis replies into the JSON shapes that
// @upstash/redis expects. Kept apart from the HTTP server so the rules are easy to read.

/** Commands this front refuses: they block, or change the state of the connection every request shares. */
export const REFUSED_COMMANDS = new Set([
  "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop", "wait", "waitaof",
  "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "monitor", "sync", "psync",
  "multi", "exec", "discard", "watch", "unwatch", "select", "swapdb", "auth", "hello", "reset", "quit", "client",
  "shutdown", "debug", "replicaof", "slaveof", "failover",
]);

/** A request's error that is the caller's fault: answered with 400 and `{"error": message}`. */
export class BadCommand extends Error {}

/**
 * The Redis arguments of one command as @upstash/redis sends it: a JSON array of strings,
 * numbers and booleans (it stringifies anything else itself).
 * @param {unknown} command
 * @returns {string[]}
 */
export function toArguments(command) {
  if (!Array.isArray(command) || command.length === 0) {
    throw new BadCommand("ERR a command is a non-empty JSON array, e.g. [\"GET\", \"key\"]");
  }
  const args = command.map((arg, i) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new BadCommand(`ERR argument ${i} is ${arg === null ? "null" : typeof arg}; send strings or numbers`);
  });
  const name = args[0].toLowerCase();
  if (REFUSED_COMMANDS.has(name) || (name === "xread" || name === "xreadgroup") && args.some((a) => a.toLowerCase() === "block")) {
    throw new BadCommand(`ERR '${args[0]}' is not supported over REST: it blocks or changes the shared connection`);
  }
  return args;
}

/**
 * The JSON form of a Redis reply. Bulk and simple strings arrive as Buffers; with `base64` each
 * becomes the base64 of its exact bytes (binary safe), otherwise its UTF-8 text. Integers stay
 * numbers, nil stays null, arrays nest, and a RESP3 map (never sent with RESP2) flattens.
 * @param {unknown} reply
 * @param {boolean} base64
 * @returns {unknown}
 */
export function encodeReply(reply, base64) {
  if (reply === null || reply === undefined) return null;
  if (reply instanceof Uint8Array) {
    const bytes = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
    return base64 ? bytes.toString("base64") : bytes.toString("utf8");
  }
  if (typeof reply === "string") return base64 ? Buffer.from(reply, "utf8").toString("base64") : reply;
  if (typeof reply === "number") return reply;
  if (typeof reply === "bigint") return Number(reply);
  if (typeof reply === "boolean") return reply ? 1 : 0;
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  if (reply instanceof Map) return [...reply].flatMap(([k, v]) => [encodeReply(k, base64), encodeReply(v, base64)]);
  if (typeof reply === "object") return Object.entries(reply).flatMap(([k, v]) => [encodeReply(k, base64), encodeReply(v, base64)]);
  return null;
}

/**
 * One pipeline or transaction entry: `{"result": ...}` or `{"error": "..."}`.
 * @param {unknown} reply
 * @param {boolean} base64
 */
export function encodeEntry(reply, base64) {
  return reply instanceof Error ? { error: reply.message } : { result: encodeReply(reply, base64) };
}
