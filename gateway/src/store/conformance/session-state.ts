import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { describe, expect, it } from "vitest";
import { rejection, type Stores } from "./support.js";

const minute = 60_000;

function tool(name: string) {
  return create(ToolInfoSchema, {
    name,
    description: `the ${name} tool`,
    parameters: { type: "object", properties: { text: { type: "string" } } },
    language: "typescript",
    sessionScoped: true,
  });
}

/** Affinity, session tools and API keys. */
export function describeSessionStateConformance(stores: Stores): void {
  describe("affinity", () => {
    it("pins a session to a runtime, keeps an earlier pin with ifAbsent, and unpins", async () => {
      const store = await stores.open();
      await store.createSession({ id: "s", orgId: "o", ttlMs: minute });
      expect((await store.getSession("s"))?.runtimeId).toBeUndefined();
      expect(await store.setAffinity("s", "rt-a", { ifAbsent: true })).toBe("rt-a");
      expect(await store.setAffinity("s", "rt-b", { ifAbsent: true })).toBe("rt-a");
      expect((await store.touchSession("s"))?.runtimeId).toBe("rt-a");
      expect(await store.setAffinity("s", "rt-b")).toBe("rt-b");
      await store.clearAffinity("s");
      expect((await store.getSession("s"))?.runtimeId).toBeUndefined();
      expect((await rejection(store.setAffinity("ghost", "rt-a"))).code).toBe(Code.NotFound);
    });
  });

  describe("session tools", () => {
    it("registers tools for one session only and replaces them by name", async () => {
      const store = await stores.open();
      await store.createSession({ id: "a", orgId: "o", ttlMs: minute });
      await store.createSession({ id: "b", orgId: "o", ttlMs: minute });
      await store.putSessionTool("a", { tool: tool("zeta"), endpoint: "http://127.0.0.1:5001" });
      await store.putSessionTool("a", { tool: tool("alpha"), endpoint: "http://127.0.0.1:5001" });
      await store.putSessionTool("a", { tool: tool("zeta"), endpoint: "http://127.0.0.1:5002" });
      const tools = await store.listSessionTools("a");
      expect(tools.map((t) => [t.tool.name, t.endpoint])).toEqual([
        ["alpha", "http://127.0.0.1:5001"],
        ["zeta", "http://127.0.0.1:5002"],
      ]);
      expect(tools[0].tool).toMatchObject({ description: "the alpha tool", language: "typescript", sessionScoped: true });
      expect(tools[0].tool.parameters).toEqual({ type: "object", properties: { text: { type: "string" } } });
      expect(await store.listSessionTools("b")).toEqual([]);
      expect((await rejection(store.putSessionTool("ghost", { tool: tool("t"), endpoint: "http://x" }))).code).toBe(Code.NotFound);
      expect((await rejection(store.putSessionTool("a", { tool: tool("t"), endpoint: "ftp://x" }))).code).toBe(Code.InvalidArgument);
    });

    it("refuses tools past maxSessionTools with RESOURCE_EXHAUSTED", async () => {
      const store = await stores.open({ limits: { maxSessionTools: 1 } });
      await store.createSession({ id: "a", orgId: "o", ttlMs: minute });
      await store.putSessionTool("a", { tool: tool("one"), endpoint: "http://127.0.0.1:1" });
      await store.putSessionTool("a", { tool: tool("one"), endpoint: "http://127.0.0.1:2" });
      expect((await rejection(store.putSessionTool("a", { tool: tool("two"), endpoint: "http://127.0.0.1:1" }))).code).toBe(
        Code.ResourceExhausted,
      );
    });
  });

  describe("API keys", () => {
    it("stores records by key hash and forgets deleted keys", async () => {
      const store = await stores.open();
      await store.putApiKey("hash-1", { orgId: "org-a", allowedTools: "all", label: "development key" });
      await store.putApiKey("hash-2", { orgId: "org-b", allowedTools: ["reverse_text", "validate_json"] });
      expect(await store.getApiKey("hash-1")).toEqual({ orgId: "org-a", allowedTools: "all", label: "development key" });
      expect(await store.getApiKey("hash-2")).toEqual({ orgId: "org-b", allowedTools: ["reverse_text", "validate_json"] });
      expect(await store.getApiKey("unknown")).toBeUndefined();
      expect(await store.deleteApiKey("hash-1")).toBe(true);
      expect(await store.deleteApiKey("hash-1")).toBe(false);
      expect(await store.getApiKey("hash-1")).toBeUndefined();
      expect((await rejection(store.getApiKey(""))).code).toBe(Code.InvalidArgument);
    });

    it("shares keys between instances", async () => {
      const store = await stores.open();
      const other = await stores.sibling(store);
      await store.putApiKey("shared", { orgId: "org-a", allowedTools: ["t"] });
      expect(await other.getApiKey("shared")).toEqual({ orgId: "org-a", allowedTools: ["t"] });
    });
  });
}
