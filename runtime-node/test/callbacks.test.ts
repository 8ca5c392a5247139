// Python tools that call back (variables, other tools): until the runtime serves callbacks, each gets a clear
// UNIMPLEMENTED reply instead of hanging.
import { fileURLToPath } from "node:url";
import { fromValue } from "@toolbridge/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, type RuntimeClients } from "./support/clients.js";

const callbackTools = fileURLToPath(new URL("./fixtures/callback_tools.py", import.meta.url));

describe("callbacks from Python tools", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    runtime = await startRuntime({ args: ["--module", callbackTools, "--workers", "1"] });
    clients = connectTo(runtime);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  it.each([
    ["read_variable", "get_variable"],
    ["call_other", "call_tool"],
  ])("answers %s's %s callback with UNIMPLEMENTED", async (tool, op) => {
    const response = await clients.tools.executeTool({ tool, args: { name: "x" }, sessionId: "s1" }, { timeoutMs: 10_000 });
    expect(fromValue(response.result)).toEqual({
      error: "ToolError",
      code: "unimplemented",
      message: `callback "${op}" is not supported by this runtime yet`,
    });
  });
});
