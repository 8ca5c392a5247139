// Baseline 1: a bare connect-node server with ExecuteTool as an in-process echo, h1 + h2c on one port.
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { BASELINE_MAX_MESSAGE_BYTES, executeToolEcho } from "./echo-service.mjs";
import { announce, listenOnePort } from "./one-port.mjs";

const handler = connectNodeAdapter({
  routes(router) {
    router.service(ToolService, { executeTool: executeToolEcho });
  },
  readMaxBytes: BASELINE_MAX_MESSAGE_BYTES,
  writeMaxBytes: BASELINE_MAX_MESSAGE_BYTES,
});

const server = await listenOnePort({ port: Number(process.argv[2] ?? 0), onRequest: handler });
announce(server, "connect-echo");
