// @ts-check
// A small REST front for a local redis-server that speaks what @upstash/redis sends, so the
// gateway's Upstash store runs against a real Redis in development and tests. See README.md.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { createClient, ErrorReply, RESP_TYPES } from "redis";
import { BadCommand, encodeEntry, encodeReply, toArguments } from "./encode.mjs";

/**
 * @typedef {object} UpstashRestOptions
 * @property {string} redisUrl  redis:// URL of the redis-server to forward to.
 * @property {string} token  Bearer token every request must carry.
 * @property {string} [host]  Interface to bind; 127.0.0.1 unless set.
 * @property {number} [port]  Port to listen on; 0 picks a free one.
 * @property {number} [maxBodyBytes]  Largest request body accepted; 16 MiB unless set.
 * @property {(line: string) => void} [log]  Where connection problems are reported; stderr unless set.
 */

/**
 * @typedef {object} UpstashRestFront
 * @property {string} url  Base URL to give @upstash/redis, e.g. http://127.0.0.1:41234.
 * @property {() => Promise<void>} close  Stops listening and disconnects from Redis.
 */

// Bulk and simple strings as Buffers, so base64 responses carry the exact bytes.
const binaryReplies = { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.SIMPLE_STRING]: Buffer };

/**
 * Starts the front: connects to Redis, then listens.
 * @param {UpstashRestOptions} options
 * @returns {Promise<UpstashRestFront>}
 */
export async function startUpstashRest(options) {
  const { redisUrl, token, host = "127.0.0.1", port = 0, maxBodyBytes = 16 * 1024 * 1024 } = options;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  if (!token) throw new Error("a token is required: every request must carry it as a bearer token");
  const tokenDigest = digest(token);

  // RESP2 gives the reply shapes Upstash returns (HGETALL as a flat array). One connection carries
  // every single and pipelined command; transactions get their own so MULTI never interleaves.
  const shared = createClient({ url: redisUrl, RESP: 2, disableOfflineQueue: true });
  const tx = shared.duplicate();
  for (const client of [shared, tx]) client.on("error", (err) => log(`upstash-rest: redis: ${err.message}`));
  await Promise.all([shared.connect(), tx.connect()]);
  const redis = shared.withTypeMapping(binaryReplies);
  const txRedis = tx.withTypeMapping(binaryReplies);
  let txQueue = Promise.resolve();

  /** @param {string[]} args */
  const run = (args) => redis.sendCommand(args);

  /** @param {string[][]} commands */
  const transaction = (commands) => {
    const result = txQueue.then(async () => {
      const queued = [txRedis.sendCommand(["MULTI"]), ...commands.map((args) => txRedis.sendCommand(args))];
      const exec = txRedis.sendCommand(["EXEC"]);
      await Promise.allSettled(queued);
      return exec;
    });
    txQueue = result.then(() => undefined, () => undefined);
    return result;
  };

  const server = createServer(async (req, res) => {
    /** @param {number} status @param {unknown} body */
    const send = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      if (!authorized(req.headers.authorization, tokenDigest)) return send(401, { error: "Unauthorized" });
      if (req.method !== "POST") return send(405, { error: "ERR use POST" });
      const path = (req.url ?? "/").split("?")[0];
      if (path !== "/" && path !== "/pipeline" && path !== "/multi-exec") return send(404, { error: `ERR no route ${path}` });
      const body = await readJson(req, maxBodyBytes);
      const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";

      if (path === "/") {
        const args = toArguments(body);
        try {
          return send(200, { result: encodeReply(await run(args), base64) });
        } catch (err) {
          return err instanceof ErrorReply ? send(400, { error: err.message }) : send(503, { error: unavailable(err) });
        }
      }
      if (!Array.isArray(body) || body.length === 0) throw new BadCommand("ERR send a non-empty JSON array of commands");
      const commands = body.map(toArguments);
      if (path === "/pipeline") {
        const settled = await Promise.allSettled(commands.map(run));
        return send(200, settled.map((s) => (s.status === "fulfilled" ? encodeEntry(s.value, base64) : { error: errorText(s.reason) })));
      }
      try {
        const replies = /** @type {unknown[]} */ (await transaction(commands));
        return send(200, replies.map((reply) => encodeEntry(reply, base64)));
      } catch (err) {
        return err instanceof ErrorReply ? send(400, { error: err.message }) : send(503, { error: unavailable(err) });
      }
    } catch (err) {
      if (err instanceof BadCommand) return send(400, { error: err.message });
      if (err instanceof BodyTooLarge) return send(413, { error: err.message });
      log(`upstash-rest: ${err instanceof Error ? err.message : String(err)}`);
      return send(500, { error: "ERR internal error in the REST front" });
    }
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the server did not report a TCP address");
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
      shared.destroy();
      tx.destroy();
    },
  };
}

/** @param {string} text */
function digest(text) {
  return createHash("sha256").update(text).digest();
}

/**
 * Compares digests, so neither the token's length nor its prefix leaks through timing.
 * @param {string | undefined} header
 * @param {Buffer} tokenDigest
 */
function authorized(header, tokenDigest) {
  const match = /^Bearer (.+)$/i.exec(header ?? "");
  return match !== null && timingSafeEqual(digest(match[1]), tokenDigest);
}

/** @param {unknown} err */
function errorText(err) {
  return err instanceof ErrorReply ? err.message : unavailable(err);
}

/** @param {unknown} err */
function unavailable(err) {
  return `ERR redis unavailable: ${err instanceof Error ? err.message : String(err)}`;
}

class BodyTooLarge extends Error {}

/**
 * @param {import("node:http").IncomingMessage} req
 * @param {number} limit
 * @returns {Promise<unknown>}
 */
async function readJson(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge(`ERR request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadCommand("ERR request body is not JSON");
  }
}
