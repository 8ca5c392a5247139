// Tools calling back through a real gateway (redis store) and a runtime that registered itself: session
// variables a client shares with a Python tool, tools of every language called from Python and TypeScript,
// nesting, cycles and permissions, and a browser-direct call with a session token whose callbacks keep its rights.
import { Code } from "@connectrpc/connect";
import { errorInfoOf, fromValue, toValue } from "@toolbridge/proto";
import { VariableType } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BridgeCluster, bridgeKeys, bridgeTools, type Clients, clientsOf, startBridgeCluster } from "./support/bridge-cluster.js";
import type { RuntimeProcess } from "./support/runtime.js";
import { rejection } from "./support/rejection.js";

let cluster: BridgeCluster;
let runtime: RuntimeProcess;
let acme: Clients;
let sessionId: string;

beforeAll(async () => {
  cluster = await startBridgeCluster();
  // One worker running one call at a time: nested calls back into it must not wait for the slot their parent holds.
  runtime = await cluster.startRuntime([
    "--workers",
    "1",
    "--worker-concurrency",
    "1",
    "--module",
    "examples",
    "--ts-module",
    bridgeTools.typescriptExamples,
  ]);
  acme = cluster.gatewayClients(bridgeKeys.acme);
  sessionId = (await acme.sessions.initializeSession({})).session?.id as string;
});

afterAll(async () => {
  await cluster?.stop();
});

const run = async (tool: string, args: Record<string, unknown>, options: { session?: string; timeoutMs?: number } = {}) =>
  fromValue(
    (await acme.tools.executeTool({ tool, args: args as never, sessionId: options.session ?? sessionId }, { timeoutMs: options.timeoutMs ?? 20_000 }))
      .result,
  );

describe("variables from a Python tool", () => {
  it("shares the session that a REST call's session_id names", async () => {
    const own = (await acme.sessions.initializeSession({ variables: [{ name: "threshold", type: VariableType.INTEGER, content: { case: "value", value: toValue(3) } }] })).session?.id;
    const response = await fetch(`${cluster.gateway.url}/cluster-tools/execute`, {
      method: "POST",
      headers: { authorization: `Bearer ${bridgeKeys.acme}`, "content-type": "application/json" },
      body: JSON.stringify({ tool_name: "tally", input: { by: 2, name: "threshold" }, session_id: own }),
    });
    expect(await response.json()).toMatchObject({ success: true, output: { total: 5 }, error: null });
    expect(response.status).toBe(200);
    const { variable } = await acme.variables.getVariable({ sessionId: own, name: "threshold" });
    expect(variable?.content.case === "value" && fromValue(variable.content.value)).toBe(5);
  });

  it("reads a variable a client set, and sets one the client then reads", async () => {
    await acme.variables.setVariable({ sessionId, write: { name: "threshold", type: VariableType.FLOAT, content: { case: "value", value: toValue(0.75) } } });
    expect(await run("py_read_var", { name: "threshold" })).toBe(0.75);
    expect(await run("py_set_var", { name: "verdict", value: { ok: true }, type: "object" })).toEqual({ version: 1, type: "object" });
    const { variable } = await acme.variables.getVariable({ sessionId, name: "verdict" });
    expect(variable?.type).toBe(VariableType.OBJECT);
    expect(variable?.content.case === "value" && fromValue(variable.content.value)).toEqual({ ok: true });
  });

  it("lists, deletes and misses variables", async () => {
    expect(await run("py_var_ops", { name: "scratch" })).toEqual({ listed: 41, deleted: true, deleted_again: false, after: "gone" });
    const error = await rejection(acme.tools.executeTool({ tool: "py_read_var", args: { name: "never-set" }, sessionId }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toContain("has no variable 'never-set'");
  });

  it("writes and reads bytes variables, the bytes travelling as frame bodies", async () => {
    expect(await run("py_set_bytes", { name: "blob", text: "héllo" })).toEqual({ type: "bytes", text: "héllo" });
    const { variable } = await acme.variables.getVariable({ sessionId, name: "blob" });
    expect(variable?.content.case === "bytesValue" && new TextDecoder().decode(variable.content.value)).toBe("héllo");
    await acme.variables.setVariable({ sessionId, write: { name: "raw", type: VariableType.BYTES, content: { case: "bytesValue", value: new Uint8Array([0, 255]) } } });
    expect(await run("py_read_var", { name: "raw" })).toEqual({ bytes: "\u0000\u00ff" });
  });

  it("keeps sessions apart: another session does not see the variable", async () => {
    const other = (await acme.sessions.initializeSession({})).session?.id as string;
    await acme.variables.setVariable({ sessionId, write: { name: "mine", type: VariableType.INTEGER, content: { case: "value", value: toValue(1) } } });
    expect((await rejection(acme.tools.executeTool({ tool: "py_read_var", args: { name: "mine" }, sessionId: other }))).code).toBe(Code.NotFound);
  });

  it("serve the example tally, a Python tool that keeps a counter in the session", async () => {
    expect(await run("tally", { by: 2 })).toEqual({ total: 2 });
    expect(await run("tally", { by: 3 })).toEqual({ total: 5 });
  });
});

describe("tools called from tools", () => {
  it("a Python tool calls the gateway's validate_json", async () => {
    const out = await run("py_call", { tool: "validate_json", args: { json_string: '{"a": 1}', schema: { type: "object", required: ["b"] } } });
    expect(out).toMatchObject({ valid: false });
  });

  it("a Python tool calls a Python tool and streams another through the gateway", async () => {
    expect(await run("py_call", { tool: "reverse_text", args: { text: "abc" } })).toEqual({ result: "cba" });
    expect(await run("py_stream", { tool: "count", args: { n: 3 } })).toEqual([1, 2, 3]);
    // Leaving a stream early cancels it (callback_cancel), through the gateway too.
    expect(await run("py_first_of_stream", { tool: "count", args: { n: 1000, delay_ms: 5 } })).toBe(1);
  });

  it("a Python tool lists the tools of the session: the gateway's, the runtimes', its own runtime's TypeScript tools", async () => {
    expect(await run("py_list_tools", {})).toEqual(expect.arrayContaining(["validate_json", "py_leaf", "ts_add", "slugify"]));
  });

  it("a TypeScript tool reads, writes, lists and deletes the session's variables", async () => {
    const out = (await run("ts_vars", { name: "from_ts", value: 5, type: "integer" })) as Record<string, unknown>;
    expect(out).toMatchObject({ set: 1, got: 5, deleted: true, missing: true });
    expect(out.listed).toContain("from_ts");
  });

  it("a TypeScript tool streams a Python tool through the gateway, and may stop early", async () => {
    expect(await run("ts_stream_call", { tool: "count", args: { n: 3 } })).toEqual([1, 2, 3]);
    expect(await run("ts_stream_call", { tool: "count", args: { n: 1000, delay_ms: 5 }, first_only: true })).toEqual([1]);
  });

  it("a TypeScript tool calls Python tools", async () => {
    expect(await run("text_report", { text: "Hello big World" })).toEqual({ words: 3, reversed: "dlroW gib olleH", slug: "hello-big-world" });
    expect(await run("ts_call", { tool: "py_leaf", args: { text: "from ts" } })).toEqual({ path: ["py_leaf"], text: "from ts" });
  });

  it("a Python tool calls a TypeScript tool that calls a Python tool, on one worker of concurrency 1", async () => {
    expect(await run("py_hop", { next: ["ts_hop", "py_hop2"], text: "deep" })).toEqual({ path: ["py_hop", "ts_hop", "py_hop2"], text: "deep" });
    expect(await run("describe_text", { text: "Two words" })).toEqual({ slug: "two-words", words: 2 });
  });

  it("ends a cycle through the gateway with FAILED_PRECONDITION, not a hang", async () => {
    const error = await rejection(acme.tools.executeTool({ tool: "py_hop", args: { next: ["ts_hop", "py_hop"] }, sessionId }, { timeoutMs: 20_000 }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe("call cycle: py_hop -> ts_hop -> py_hop");
  });

  it("gives a nested call from Python at most the time its outer call has left", async () => {
    // The outer tool spends 300 ms first, so that what is left differs clearly from the caller's 2000 ms.
    const seen = (await run("py_nested_time_remaining", { spend_ms: 300 }, { timeoutMs: 2000 })) as Record<string, number>;
    expect(seen.outer_ms).toBeLessThanOrEqual(1700);
    expect(seen.outer_ms).toBeGreaterThan(1000);
    // outer_ms was read just before the nested call. Its deadline travels in whole milliseconds, rounded down by
    // the runtime (gateway-link), then counted on the gateway's Date.now() clock: up to 1 ms more than was left.
    expect(seen.nested_ms).toBeLessThanOrEqual(seen.outer_ms + 1);
    expect(seen.nested_ms).toBeGreaterThan(500);
  });

  it("passes the deadline on: a nested call ends when the outer call's time is up", async () => {
    const error = await rejection(acme.tools.executeTool({ tool: "py_call", args: { tool: "sleep", args: { ms: 10_000 } }, sessionId }, { timeoutMs: 500 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
  });
});

describe("the caller's rights, in callbacks", () => {
  it("a Python tool cannot call a tool the session's key may not use: PERMISSION_DENIED", async () => {
    const limited = cluster.gatewayClients(bridgeKeys.limited);
    const session = (await limited.sessions.initializeSession({})).session?.id as string;
    for (const tool of ["reverse_text", "ts_add", "validate_json"]) {
      const error = await rejection(limited.tools.executeTool({ tool: "py_call", args: { tool }, sessionId: session }));
      expect(error.code).toBe(Code.PermissionDenied);
      expect(error.rawMessage).toBe(`the key of org 'acme' may not call tool '${tool}'`);
    }
    const names = fromValue((await limited.tools.executeTool({ tool: "py_list_tools", args: {}, sessionId: session })).result);
    expect(names).toEqual(["py_call", "py_error_of", "py_hop", "py_leaf", "py_list_tools", "ts_call"]);
  });

  it("a browser calls the runtime directly with a session token; its callbacks act with the token's rights", async () => {
    await acme.variables.setVariable({ sessionId, write: { name: "direct", type: VariableType.STRING, content: { case: "value", value: toValue("yes") } } });
    const { token } = await acme.sessions.createSessionToken({ sessionId });
    const direct = clientsOf(runtime.url, token);
    const response = await direct.tools.executeTool({ tool: "py_hop", args: { next: ["ts_hop", "py_hop2"] }, sessionId });
    expect(fromValue(response.result)).toMatchObject({ path: ["py_hop", "ts_hop", "py_hop2"] });
    expect(fromValue((await direct.tools.executeTool({ tool: "py_read_var", args: { name: "direct" }, sessionId })).result)).toBe("yes");

    const limited = cluster.gatewayClients(bridgeKeys.limited);
    const session = (await limited.sessions.initializeSession({})).session?.id as string;
    const narrow = clientsOf(runtime.url, (await limited.sessions.createSessionToken({ sessionId: session })).token);
    const denied = await rejection(narrow.tools.executeTool({ tool: "py_call", args: { tool: "reverse_text" }, sessionId: session }));
    expect([denied.code, errorInfoOf(denied).tool]).toEqual([Code.PermissionDenied, "py_call"]);
    const elsewhere = await rejection(narrow.tools.executeTool({ tool: "py_leaf", args: {}, sessionId }));
    expect(elsewhere.code).toBe(Code.PermissionDenied);
  });
});
