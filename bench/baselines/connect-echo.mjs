// Baseline 1: a bare connect-node server with ExecuteTool as an in-process echo, h1 + h2c on one port.
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { ADAPTER_OPTIONS, BASELINE_MAX_MESSAGE_BYTES, executeToolEcho } from "./echo-service.mjs";
import { announce, listenOnePort } from "./one-port.mjs";

const handler = connectNodeAdapter({
  routes(router) {
    router.service(ToolService, { executeTool: executeToolEcho });
  },
  ...ADAPTER_OPTIONS,
});

const server = await listenOnePort({ port: Number(process.argv[2] ?? 0), onRequest: handler, maxMessageBytes: BASELINE_MAX_MESSAGE_BYTES });
announce(server, "connect-echo");
