// Baseline 1b: baseline 1 plus the unary gRPC fast path (../fast-path/) in front of connect-node.
// BENCH_FAST_PATH_MODE picks where it hooks in:
// - "stream" (default): a raw http2 "stream" listener that takes fast-path calls before Node's compatibility layer
//   sees them and hands every other stream to it (this relies on the listener Node installs for "request").
// - "request": inside the ordinary (req, res) listener, using req.stream (public API only; the compatibility
//   layer's request and response objects are still built for every call).
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { ADAPTER_OPTIONS, BASELINE_MAX_MESSAGE_BYTES, executeToolEcho } from "./echo-service.mjs";
import { createGrpcUnaryFastPath } from "../fast-path/grpc-unary-fast-path.mjs";
import { announce, listenOnePort } from "./one-port.mjs";

const implementation = { executeTool: executeToolEcho };
const handler = connectNodeAdapter({ routes: (router) => router.service(ToolService, implementation), ...ADAPTER_OPTIONS });
const fast = createGrpcUnaryFastPath({
  services: [{ service: ToolService, implementation }],
  readMaxBytes: ADAPTER_OPTIONS.readMaxBytes,
  writeMaxBytes: ADAPTER_OPTIONS.writeMaxBytes,
});
const mode = process.env.BENCH_FAST_PATH_MODE ?? "stream";

const server = await listenOnePort({
  port: Number(process.argv[2] ?? 0),
  maxMessageBytes: BASELINE_MAX_MESSAGE_BYTES,
  onRequest:
    mode === "request"
      ? (req, res) => (req.httpVersionMajor === 2 && fast.accepts(req.headers) ? fast.serve(req.stream, req.headers, { req, res }) : handler(req, res))
      : handler,
  onH2Server:
    mode === "stream"
      ? (h2) => {
          // Node adds its compatibility "stream" listener when a "request" listener exists; put the fast path first.
          const compat = h2.listeners("stream");
          h2.removeAllListeners("stream");
          h2.on("stream", (stream, headers, flags, rawHeaders) => {
            if (fast.accepts(headers)) fast.serve(stream, headers);
            else for (const listener of compat) listener.call(h2, stream, headers, flags, rawHeaders);
          });
        }
      : undefined,
});
announce(server, `connect-echo-fast (${mode})`);
