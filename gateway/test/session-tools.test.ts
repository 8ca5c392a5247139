// Session-scoped tools: visible and callable in their session only, routed to their endpoint, and
// gone with the session (cleanup and expiry). Memory store with a clock the test moves.
import { Code } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/store/memory/memory-store.js";
import { type Clients, type Harness, keys, rejection, startHarness } from "./support/harness.js";
import { clock } from "./support/stores.js";
import { createStubRuntime, type StubRuntime } from "./support/stub-runtime.js";

describe("session tools", () => {
  let harness: Harness;
  let shared: StubRuntime;
  let own: StubRuntime;
  let acme: Clients;

  beforeEach(async () => {
    shared = createStubRuntime("rt-shared", ["echo", "mine"], 1);
    own = createStubRuntime("rt-own", [], 2);
    harness = await startHarness({ store: createMemoryStore({ now: clock.now }), stubs: [shared, own] });
    await harness.register(shared);
    await harness.register(own);
    acme = harness.clients(keys.acme);
    await acme.sessions.initializeSession({ sessionId: "s-1", ttlSeconds: 60 });
    await acme.sessions.initializeSession({ sessionId: "s-2", ttlSeconds: 60 });
    await acme.sessions.registerSessionTool({
      sessionId: "s-1",
      tool: { name: "private_tool", description: "only in s-1", parameters: { type: "object" } },
      endpoint: own.url,
    });
  });

  afterEach(async () => {
    await harness.close();
  });

  const names = async (sessionId: string) => (await acme.tools.listTools({ sessionId })).tools.map((t) => t.name);

  it("is listed and callable in its session only", async () => {
    expect(await names("s-1")).toContain("private_tool");
    expect(await names("s-2")).not.toContain("private_tool");
    expect(await names("")).not.toContain("private_tool");
    const response = await acme.tools.executeTool({ tool: "private_tool", sessionId: "s-1", args: { x: 1 } });
    expect(fromValue(response.result)).toEqual({ runtime: "rt-own", tool: "private_tool", args: { x: 1 } });
    for (const sessionId of ["s-2", ""]) {
      const error = await rejection(acme.tools.executeTool({ tool: "private_tool", sessionId }));
      expect(error.code).toBe(Code.NotFound);
    }
    expect(own.calls.map((c) => c.sessionId)).toEqual(["s-1"]);
  });

  it("is streamed and batched from its endpoint in its session", async () => {
    const cases = [];
    for await (const message of acme.tools.streamTool({ tool: "private_tool", sessionId: "s-1", args: { n: 2 } })) cases.push(message.event.case);
    expect(cases).toEqual(["chunk", "progress", "chunk", "progress", "result"]);
    const { outcomes } = await acme.tools.batchExecuteTools({
      sessionId: "s-1",
      calls: [{ tool: "private_tool" }, { tool: "echo" }],
    });
    expect(outcomes.map((o) => (o.outcome.case === "response" ? o.outcome.value.runtimeId : o.outcome.case))).toEqual(["rt-own", "rt-shared"]);
    const elsewhere = await acme.tools.batchExecuteTools({ sessionId: "s-2", calls: [{ tool: "private_tool" }] });
    expect(elsewhere.outcomes[0].outcome.case === "error" && elsewhere.outcomes[0].outcome.value.code).toBe("not_found");
  });

  it("takes its name over a runtime tool's in its session, and leaves the runtime's elsewhere", async () => {
    await acme.sessions.registerSessionTool({ sessionId: "s-1", tool: { name: "mine", description: "the session's" }, endpoint: own.url });
    expect((await acme.tools.listTools({ sessionId: "s-1" })).tools.find((t) => t.name === "mine")).toMatchObject({
      description: "the session's",
      sessionScoped: true,
    });
    expect((await acme.tools.executeTool({ tool: "mine", sessionId: "s-1" })).runtimeId).toBe("rt-own");
    expect((await acme.tools.executeTool({ tool: "mine", sessionId: "s-2" })).runtimeId).toBe("rt-shared");
  });

  it("cannot be registered in another org's session", async () => {
    const error = await rejection(
      harness.clients(keys.beta).sessions.registerSessionTool({ sessionId: "s-1", tool: { name: "intruder" }, endpoint: own.url }),
    );
    expect(error.code).toBe(Code.NotFound);
    expect(await names("s-1")).not.toContain("intruder");
  });

  it("goes away with CleanupSession", async () => {
    await acme.sessions.cleanupSession({ sessionId: "s-1" });
    await acme.sessions.initializeSession({ sessionId: "s-1" });
    expect(await names("s-1")).not.toContain("private_tool");
    expect((await rejection(acme.tools.executeTool({ tool: "private_tool", sessionId: "s-1" }))).code).toBe(Code.NotFound);
    expect(own.calls).toHaveLength(0);
  });

  it("goes away when its session expires", async () => {
    clock.advance(61_000);
    const expired = await rejection(acme.tools.executeTool({ tool: "private_tool", sessionId: "s-1" }));
    expect(expired.code).toBe(Code.NotFound);
    expect(expired.rawMessage).toMatch(/^session 's-1' expired: /);
    await acme.sessions.initializeSession({ sessionId: "s-1" });
    expect(await names("s-1")).not.toContain("private_tool");
    expect(own.calls).toHaveLength(0);
  });
});
