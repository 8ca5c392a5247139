// Baseline 2: a bare @grpc/grpc-js server with ExecuteTool as an in-process echo (h2c, gRPC only).
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { ExecuteToolRequestSchema, ExecuteToolResponseSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { BASELINE_MAX_MESSAGE_BYTES, executeToolEcho } from "./echo-service.mjs";

const server = new grpc.Server({
  "grpc.max_receive_message_length": BASELINE_MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": BASELINE_MAX_MESSAGE_BYTES,
});
server.addService(
  {
    executeTool: {
      path: "/toolbridge.v1.ToolService/ExecuteTool",
      requestStream: false,
      responseStream: false,
      requestDeserialize: (bytes) => fromBinary(ExecuteToolRequestSchema, bytes),
      requestSerialize: (message) => Buffer.from(toBinary(ExecuteToolRequestSchema, message)),
      responseDeserialize: (bytes) => fromBinary(ExecuteToolResponseSchema, bytes),
      responseSerialize: (message) => Buffer.from(toBinary(ExecuteToolResponseSchema, message)),
    },
  },
  {
    executeTool(call, callback) {
      callback(null, executeToolEcho(call.request));
    },
  },
);
const port = await new Promise((resolve, reject) =>
  server.bindAsync(`127.0.0.1:${process.argv[2] ?? 0}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
);
process.stdout.write(`grpc-js-echo listening on http://127.0.0.1:${port}\n`);
process.on("SIGTERM", () => process.exit(0));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
