// Request specs: plain JSON (they travel to the load generator over IPC) naming a method and its message.

/** Bytes in one MiB. */
export const MIB = 1024 * 1024;

/**
 * A request spec.
 *
 * Fields:
 * - module: generated module under @toolbridge/proto/gen/toolbridge/v1/ (default "tool_pb").
 * - service: exported service descriptor name (default "ToolService").
 * - method: RPC name, e.g. "ExecuteTool".
 * - message: the request in protobuf JSON form.
 * - payloadBytes: when set, a `payload` field of this many bytes is added (bytes never travel as JSON).
 * - expectPayloadBytes: when set, every response must carry a `payload` of this length.
 */
export function requestSpec({ module = "tool_pb", service = "ToolService", method, message, payloadBytes = 0, expectPayloadBytes }) {
  return { module, service, method, message, payloadBytes, expectPayloadBytes };
}

/** ExecuteTool on `echo` with {"message": "hello"}: the small request of issue 2. */
export const echoRequest = requestSpec({ method: "ExecuteTool", message: { tool: "echo", args: { message: "hello" } } });

/** ExecuteTool on `echo_bytes` with a payload of `size` bytes that must come back whole. */
export function bytesRequest(size) {
  return requestSpec({ method: "ExecuteTool", message: { tool: "echo_bytes", args: {} }, payloadBytes: size, expectPayloadBytes: size });
}

/**
 * A Redis command for the `redis` client, e.g. redisRequest(["SET", "k", "v"]); expectReplyLength: when set, every
 * reply must be a string of this length (a GET of the value SET before).
 */
export function redisRequest(command, { expectReplyLength } = {}) {
  return { redis: command, expectReplyLength };
}
