// The clients the load generator drives. The same client serves a row and its baseline.
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import { fromJson, toBinary, fromBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { createClient as createRedisClient } from "redis";
import { createPipeClient } from "./pipe-client.mjs";
import { createRawConnectCaller } from "./raw-connect-client.mjs";

/** Client names and what they are, for `--help` and the report. */
export const CLIENTS = {
  "connect-h1": "connect-node createConnectTransport, binary, HTTP/1.1 (keep-alive agent)",
  "connect-h2c": "connect-node createConnectTransport, binary, HTTP/2 cleartext",
  "connect-json-h1": "connect-node createConnectTransport, JSON, HTTP/1.1",
  grpc: "connect-node createGrpcTransport (HTTP/2 cleartext)",
  "grpc-web": "connect-node createGrpcWebTransport, binary, HTTP/1.1",
  "grpc-js": "@grpc/grpc-js Client.makeUnaryRequest (HTTP/2 cleartext)",
  "raw-h1": "bare Connect-protocol client on node:http (request encoded once; no connect-node client cost)",
  "raw-h2c": "bare Connect-protocol client on node:http2 (request encoded once; no connect-node client cost)",
  redis: "node-redis createClient (RESP2, one connection, commands pipelined), as the gateway's Redis store uses it",
  pipe: "Node -> Python pipe echo (bench/baselines/pipe_echo.py), no HTTP",
  worker: "Node -> one real toolbridge worker (python3 -m toolbridge --module examples) over its pipes, no HTTP, no pool",
};

async function resolveMethod(request) {
  const mod = await import(`@toolbridge/proto/gen/toolbridge/v1/${request.module}`);
  const service = mod[request.service];
  if (!service) throw new Error(`no service ${request.service} in ${request.module}`);
  const method = service.methods.find((m) => m.name === request.method);
  if (!method) throw new Error(`no method ${request.method} in ${service.typeName}`);
  return { service, method };
}

// Random bytes: binary payloads (images, audio, archives) rarely compress, so nothing on the way may profit from it.
const payloadOf = (size) => randomBytes(size);

function buildMessage(method, request) {
  const message = fromJson(method.input, request.message);
  if (request.payloadBytes > 0) message.payload = payloadOf(request.payloadBytes);
  return message;
}

function checkResponse(request, response) {
  if (request.expectPayloadBytes !== undefined && response.payload?.length !== request.expectPayloadBytes) {
    throw new Error(`expected a payload of ${request.expectPayloadBytes} bytes, got ${response.payload?.length ?? "none"}`);
  }
}

/**
 * Builds a caller for one job.
 *
 * Options:
 * - client: a key of CLIENTS.
 * - url: the server's base URL (unused by "pipe" and "worker"; redis:// for "redis").
 * - key: when set, sent as `Authorization: Bearer <key>`.
 * - request: a request spec (see requests.mjs).
 * - concurrency: callers in flight (sizes the HTTP/1.1 agent).
 * - maxMessageBytes: largest message either way.
 * - python: the Python executable for "pipe".
 *
 * Returns { call() -> Promise<void>, close() -> Promise<void> }.
 */
export async function createCaller({ client, url, key, request, concurrency, maxMessageBytes, python }) {
  if (client === "pipe" || client === "worker") return createPipeCaller({ request, python, worker: client === "worker" });
  if (client === "redis") return createRedisCaller({ url, request });
  const { service, method } = await resolveMethod(request);
  const message = buildMessage(method, request);
  if (client === "grpc-js") return createGrpcJsCaller({ url, key, method, message, request, maxMessageBytes });
  const headers = key ? { authorization: `Bearer ${key}` } : {};
  if (client === "raw-h1" || client === "raw-h2c") {
    const httpVersion = client === "raw-h1" ? "1.1" : "2";
    const raw = createRawConnectCaller({ url, method, message, headers, httpVersion, concurrency, maxMessageBytes });
    return { call: async () => checkResponse(request, await raw.call()), close: raw.close };
  }

  const limits = { readMaxBytes: maxMessageBytes, writeMaxBytes: maxMessageBytes };
  let close = async () => {};
  let transport;
  if (client === "connect-h1" || client === "connect-json-h1" || client === "grpc-web") {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    close = async () => agent.destroy();
    const options = { baseUrl: url, httpVersion: "1.1", nodeOptions: { agent }, ...limits };
    transport = client === "grpc-web"
      ? createGrpcWebTransport(options)
      : createConnectTransport({ ...options, useBinaryFormat: client === "connect-h1" });
  } else if (client === "connect-h2c" || client === "grpc") {
    const sessionManager = createWideWindowSessionManager(url, maxMessageBytes);
    close = async () => sessionManager.abort();
    const options = { baseUrl: url, httpVersion: "2", sessionManager, ...limits };
    transport = client === "grpc" ? createGrpcTransport(options) : createConnectTransport(options);
  } else {
    throw new Error(`unknown client ${client}; one of ${Object.keys(CLIENTS).join(", ")}`);
  }
  const rpc = createClient(service, transport)[method.localName];
  return {
    async call() {
      checkResponse(request, await rpc(message, { headers }));
    },
    close,
  };
}

/**
 * An Http2SessionManager whose connection and stream windows hold a whole large message, as the runtime's are
 * (runtime-node/src/server/listen.ts); with Node's 64 KiB defaults a 10 MiB response waits on window updates.
 */
function createWideWindowSessionManager(url, maxMessageBytes) {
  const window = Math.min(2 ** 31 - 1, Math.max(4 * 1024 * 1024, maxMessageBytes * 2));
  const manager = new Http2SessionManager(url, {}, { settings: { initialWindowSize: window } });
  const widened = new WeakSet();
  return {
    authority: manager.authority,
    async request(method, path, headers, options) {
      const stream = await manager.request(method, path, headers, options);
      if (!widened.has(stream.session)) {
        widened.add(stream.session);
        stream.session.setLocalWindowSize(Math.min(2 ** 31 - 1, window * 2));
      }
      return stream;
    },
    notifyResponseByteRead: (stream) => manager.notifyResponseByteRead(stream),
    abort: () => manager.abort(),
  };
}

function createGrpcJsCaller({ url, key, method, message, request, maxMessageBytes }) {
  const { host } = new URL(url);
  const channel = new grpc.Client(host, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
  });
  const path = `/${method.parent.typeName}/${method.name}`;
  const serialize = (m) => Buffer.from(toBinary(method.input, m));
  const deserialize = (b) => fromBinary(method.output, b);
  const metadata = new grpc.Metadata();
  if (key) metadata.set("authorization", `Bearer ${key}`);
  return {
    call() {
      return new Promise((resolve, reject) => {
        channel.makeUnaryRequest(path, serialize, deserialize, message, metadata, (err, response) => {
          if (err) return reject(err);
          try {
            checkResponse(request, response);
            resolve();
          } catch (e) {
            reject(e);
          }
        });
      });
    },
    async close() {
      channel.close();
    },
  };
}

async function createPipeCaller({ request, python, worker }) {
  const pipe = createPipeClient({ python, worker });
  await pipe.ready;
  const body = request.payloadBytes > 0 ? payloadOf(request.payloadBytes) : undefined;
  const args = request.message.args ?? {};
  return {
    async call() {
      const { body: echoed } = await pipe.call(request.message.tool, args, body);
      if (request.expectPayloadBytes !== undefined && echoed.length !== request.expectPayloadBytes) {
        throw new Error(`pipe echo returned ${echoed.length} bytes, expected ${request.expectPayloadBytes}`);
      }
    },
    close: () => pipe.close(),
  };
}

// The same client library and settings as the gateway's Redis-protocol store (gateway/src/store/redis-store.ts).
async function createRedisCaller({ url, request }) {
  if (!request.redis) throw new Error("the redis client needs a redisRequest([...])");
  const client = createRedisClient({ url, RESP: 2, disableOfflineQueue: true });
  client.on("error", () => {}); // a failed command rejects its call
  await client.connect();
  const { redis: command, expectReplyLength } = request;
  return {
    async call() {
      const reply = await client.sendCommand(command);
      if (expectReplyLength !== undefined && (typeof reply !== "string" || reply.length !== expectReplyLength)) {
        throw new Error(`expected a reply of ${expectReplyLength} characters, got ${typeof reply === "string" ? reply.length : reply}`);
      }
    },
    close: async () => client.destroy(),
  };
}
