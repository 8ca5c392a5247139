// `node bench/fast-path/check.mjs`: checks that the unary gRPC fast path keeps connect's meaning, against the
// connect-node gRPC client and @grpc/grpc-js, through both hooks (raw "stream" listener and (req, res)).
// Exits non-zero on the first failed assertion. The runtime's copy of the fast path should turn this into tests.
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { ErrorInfoSchema, ExecuteToolRequestSchema, ExecuteToolResponseSchema, ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { createGrpcUnaryFastPath } from "./grpc-unary-fast-path.mjs";

const aborts = [];
const implementation = {
  executeTool(req, ctx) {
    if (req.tool === "fail") {
      throw new ConnectError("boom ü", Code.InvalidArgument, undefined, [{ desc: ErrorInfoSchema, value: { code: "invalid_argument", type: "ValueError" } }]);
    }
    if (req.tool === "wait") {
      return new Promise((_, reject) => ctx.signal.addEventListener("abort", () => (aborts.push(ConnectError.from(ctx.signal.reason).code), reject(ctx.signal.reason))));
    }
    if (req.tool === "crash") throw new Error("not a ConnectError");
    ctx.responseHeader.set("x-header", "h");
    ctx.responseTrailer.set("x-trailer", "t");
    return { requestId: `${ctx.requestHeader.get("authorization")} ${ctx.timeoutMs() === undefined ? "no-deadline" : "deadline"}` };
  },
};
// An interceptor like the runtime's auth: rejects calls without a key.
const auth = (next) => (req) => {
  if (req.header.get("authorization") === null) throw new ConnectError("missing key", Code.Unauthenticated);
  return next(req);
};

async function serve(mode) {
  const fast = createGrpcUnaryFastPath({ services: [{ service: ToolService, implementation }], interceptors: [auth], readMaxBytes: 1000, maxTimeoutMs: 60_000 });
  const notFound = (res) => (res.writeHead(404), res.end());
  const server =
    mode === "stream"
      ? http2.createServer().on("stream", (s, h) => (fast.accepts(h) ? fast.serve(s, h) : s.respond({ ":status": 404 }, { endStream: true })))
      : http2.createServer((req, res) => (fast.accepts(req.headers) ? fast.serve(req.stream, req.headers, { req, res }) : notFound(res)));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function checkConnectClient(url) {
  const client = createClient(ToolService, createGrpcTransport({ baseUrl: url }));
  const headers = { authorization: "Bearer k" };
  let header, trailer;
  const ok = await client.executeTool({ tool: "echo" }, { headers, timeoutMs: 5000, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) });
  assert.equal(ok.requestId, "Bearer k deadline");
  assert.equal(header.get("x-header"), "h");
  assert.equal(trailer.get("x-trailer"), "t");

  const failure = await client.executeTool({ tool: "fail" }, { headers }).catch(ConnectError.from);
  assert.equal(failure.code, Code.InvalidArgument);
  assert.equal(failure.rawMessage, "boom ü");
  assert.equal(failure.findDetails(ErrorInfoSchema)[0].type, "ValueError");

  assert.equal((await client.executeTool({ tool: "crash" }, { headers }).catch(ConnectError.from)).code, Code.Internal);
  assert.equal((await client.executeTool({ tool: "echo" }).catch(ConnectError.from)).code, Code.Unauthenticated);
  assert.equal((await client.executeTool({ tool: "echo", requestId: "x".repeat(2000) }, { headers }).catch(ConnectError.from)).code, Code.ResourceExhausted);
  assert.equal((await client.executeTool({ tool: "wait" }, { headers, timeoutMs: 100 }).catch(ConnectError.from)).code, Code.DeadlineExceeded);

  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  assert.equal((await client.executeTool({ tool: "wait" }, { headers, signal: controller.signal }).catch(ConnectError.from)).code, Code.Canceled);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(aborts.splice(0), [Code.DeadlineExceeded, Code.Canceled], "the implementation sees deadline and cancellation");
}

async function checkGrpcJsClient(url) {
  const channel = new grpc.Client(new URL(url).host, grpc.credentials.createInsecure());
  const call = (message, metadata) =>
    new Promise((resolve) =>
      channel.makeUnaryRequest(
        "/toolbridge.v1.ToolService/ExecuteTool",
        (m) => Buffer.from(toBinary(ExecuteToolRequestSchema, m)),
        (b) => fromBinary(ExecuteToolResponseSchema, b),
        create(ExecuteToolRequestSchema, message),
        metadata,
        (error, response) => resolve({ error, response }),
      ),
    );
  const metadata = new grpc.Metadata();
  metadata.set("authorization", "Bearer k");
  const ok = await call({ tool: "echo" }, metadata);
  assert.equal(ok.error, null);
  assert.equal(ok.response.requestId, "Bearer k no-deadline");
  const failure = await call({ tool: "fail" }, metadata);
  assert.equal(failure.error.code, grpc.status.INVALID_ARGUMENT);
  assert.equal(failure.error.details, "boom ü");
  assert.equal((await call({ tool: "echo" }, new grpc.Metadata())).error.code, grpc.status.UNAUTHENTICATED);
  channel.close();
}

for (const mode of ["stream", "request"]) {
  const server = await serve(mode);
  const url = `http://127.0.0.1:${server.address().port}`;
  await checkConnectClient(url);
  await checkGrpcJsClient(url);
  server.close();
  console.log(`fast path (${mode} hook): ok`);
}
process.exit(0);
