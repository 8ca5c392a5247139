// Runs one gateway tool definition through the gateway's own runner (argument checks, deadline,
// error mapping), without a gateway around it: for the unit tests of the standard tools.
import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { fromValue, type ToolDefinition } from "@toolbridge/proto";
import { ExecuteToolRequestSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Principal } from "../../src/auth/principal.js";
import type { SessionVariables } from "../../src/sessions/session-variables.js";
import { createGatewayToolCatalog } from "../../src/tools/gateway-tools.js";
import { createGatewayToolRunner } from "../../src/tools/run-gateway-tool.js";

const principal: Principal = { kind: "api-key", orgId: "acme", allowedTools: "all", chain: [] };
const unavailable = () => {
  throw new ConnectError("no dispatch in this test", Code.Unimplemented);
};

/** Runs `definition` with `args`; resolves with its JSON result (and payload), rejects with its ConnectError. */
export async function runTool(
  definition: ToolDefinition,
  args: JsonObject,
  scope: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ value: JsonValue; payload: Uint8Array }> {
  const tool = createGatewayToolCatalog([definition]).get(definition.name)!;
  const runner = createGatewayToolRunner({
    calls: { execute: unavailable, stream: unavailable },
    variables: new Proxy({}, { get: () => unavailable }) as SessionVariables,
    maxTimeoutMs: 60_000,
  });
  const response = await runner.execute(tool, principal, create(ExecuteToolRequestSchema, { tool: definition.name, args }), scope);
  return { value: response.result === undefined ? null : fromValue(response.result), payload: response.payload };
}

/** The ConnectError a promise rejects with; fails the test if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected a rejection");
}
