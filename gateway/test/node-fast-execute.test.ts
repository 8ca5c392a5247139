import { create, toBinary } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { ExecuteToolRequestSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { describe, expect, it } from "vitest";
import { decodeCall } from "../src/adapter/node-fast-execute.js";

describe("decodeCall", () => {
  it("reads the tool and session without decoding the arguments", () => {
    const bytes = toBinary(
      ExecuteToolRequestSchema,
      create(ExecuteToolRequestSchema, { tool: "t", args: { deep: { a: [1, 2] } }, sessionId: "s", requestId: "r", payload: new Uint8Array([1]) }),
    );
    expect(decodeCall(bytes)).toEqual({ tool: "t", sessionId: "s" });
  });

  it("refuses bytes that are not a message with INVALID_ARGUMENT", () => {
    expect(() => decodeCall(new Uint8Array([0x0a, 0xff, 0xff]))).toThrow(ConnectError);
  });
});
