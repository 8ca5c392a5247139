// A Worker entry's own tools (worker.ts: createWorkersHandler({ tools: [greet] })), served by the
// gateway inside workerd like the standard tools: listed, run in the Worker, their arguments checked
// against their schema, with the session's variables through their context.
import { Code } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { describe, expect, inject, it } from "vitest";
import { gatewayRuntimeId } from "../src/tools/run-gateway-tool.js";
import { valueOf, write } from "../test/support/values.js";
import { clientsFor, rejection } from "./support.js";

const acme = () => clientsFor(inject("apiKey"));

describe("a Worker entry's own tools in workerd", () => {
  it("lists the entry's tool beside the standard tools, as a TypeScript tool with its schema", async () => {
    const { tools } = await acme().tools.listTools({});
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["greet", "validate_json", "http_get"]));
    const greet = tools.find((t) => t.name === "greet");
    expect(greet).toMatchObject({ language: "typescript", streaming: false, description: "Greets someone, in the session's salutation when there is one." });
    expect(greet?.parameters).toMatchObject({ required: ["name"], additionalProperties: false });
  });

  it.each(["connect", "connect-json", "grpc-web"] as const)("runs the tool in the Worker itself over %s", async (protocol) => {
    const response = await clientsFor(inject("apiKey"), protocol).tools.executeTool({ tool: "greet", args: { name: "Ada" } });
    expect(fromValue(response.result)).toEqual({ greeting: "Hello, Ada!" });
    expect(response.runtimeId).toBe(gatewayRuntimeId);
  });

  it.each([
    ["no name", 1, {}],
    ["a name that is not a string", 2, { name: 42 }],
    ["an empty name", 3, { name: "" }],
    ["an argument the schema does not have", 4, { name: "Ada", shout: true }],
  ])("refuses %s with INVALID_ARGUMENT, without running the tool", async (_what, n, args) => {
    // In a session: the tool would write last_greeted there if it ran.
    const sessionId = `w-greet-bad-${n}`;
    await acme().sessions.initializeSession({ sessionId });
    const error = await rejection(acme().tools.executeTool({ tool: "greet", args, sessionId }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/greet/);
    const { variables } = await acme().variables.listVariables({ sessionId });
    expect(variables).toEqual([]);
  });

  it("reads and writes the call's session variables through its context", async () => {
    await acme().sessions.initializeSession({ sessionId: "w-greet", variables: [write("salutation", "string", "Bonjour")] });
    const response = await acme().tools.executeTool({ tool: "greet", args: { name: "Ada" }, sessionId: "w-greet" });
    expect(fromValue(response.result)).toEqual({ greeting: "Bonjour, Ada!" });
    const { variable } = await acme().variables.getVariable({ sessionId: "w-greet", name: "last_greeted" });
    expect([valueOf(variable), variable?.version]).toEqual(["Ada", 1]);
  });

  it("is bound by the key's allowlist like any tool", async () => {
    const error = await rejection(clientsFor(inject("limitedKey")).tools.executeTool({ tool: "greet", args: { name: "Ada" } }));
    expect(error.code).toBe(Code.PermissionDenied);
  });
});
