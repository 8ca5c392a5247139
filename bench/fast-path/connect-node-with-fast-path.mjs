// @connectrpc/connect-node with connectNodeAdapter wrapped so that unary gRPC calls take the fast path.
// hooks.mjs substitutes this module for @connectrpc/connect-node in the runtime's own imports, so the bench can
// measure the runtime with the fix without changing runtime-node/ (see PROFILE.md).
import { connectNodeAdapter as stockAdapter } from "@connectrpc/connect-node";
import { createGrpcUnaryFastPath } from "./grpc-unary-fast-path.mjs";

export * from "@connectrpc/connect-node";

/** connectNodeAdapter, plus the unary gRPC fast path for every service the routes register. */
export function connectNodeAdapter(options) {
  const handler = stockAdapter(options);
  const services = [];
  const collector = {
    handlers: [],
    service(service, implementation) {
      services.push({ service, implementation });
      return collector;
    },
    rpc() {
      return collector;
    },
  };
  options.routes(collector);
  const fast = createGrpcUnaryFastPath({
    services,
    interceptors: options.interceptors ?? [],
    readMaxBytes: options.readMaxBytes,
    writeMaxBytes: options.writeMaxBytes,
    maxTimeoutMs: options.maxTimeoutMs,
    shutdownSignal: options.shutdownSignal,
    contextValues: options.contextValues,
  });
  return (req, res) => {
    if (req.httpVersionMajor === 2 && fast.accepts(req.headers)) fast.serve(req.stream, req.headers, { req, res });
    else handler(req, res);
  };
}
