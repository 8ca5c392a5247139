import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import { eventually, rejection, type Stores } from "./support.js";

const minute = 60_000;
const tool = { tool: create(ToolInfoSchema, { name: "t" }), endpoint: "http://127.0.0.1:1" };

/** Every call that names a session and fails NOT_FOUND when it is absent. */
function usesOf(store: Store, id: string): [string, () => Promise<unknown>][] {
  return [
    ["getVariable", () => store.getVariable(id, "v")],
    ["getVariables", () => store.getVariables(id, ["v", "w"])],
    ["listVariables", () => store.listVariables(id)],
    ["commit", () => store.commit(id, { writes: [{ name: "v", type: "boolean", value: false }] })],
    ["watch", () => store.watch(id)],
    ["setAffinity", () => store.setAffinity(id, "rt-1")],
    ["clearAffinity", () => store.clearAffinity(id)],
    ["putSessionTool", () => store.putSessionTool(id, tool)],
    ["listSessionTools", () => store.listSessionTools(id)],
  ];
}

/** Every use of the session fails NOT_FOUND with exactly this message. */
async function expectEveryUseFails(store: Store, id: string, message: string | RegExp): Promise<void> {
  for (const [name, use] of usesOf(store, id)) {
    const err = await rejection(use());
    expect([name, err.code]).toEqual([name, Code.NotFound]);
    if (typeof message === "string") expect([name, err.rawMessage]).toEqual([name, message]);
    else expect(err.rawMessage, name).toMatch(message);
  }
}

/** How a session ended, as NOT_FOUND says: expired (TTL without use), cleaned up, or never there. */
export function describeEndedSessionConformance(stores: Stores): void {
  const { harness } = stores;

  describe("ended sessions", () => {
    it("says a session whose TTL ran out expired, how long ago it was used and its TTL, on every use", async () => {
      const store = await stores.open();
      await store.createSession({ id: "short", orgId: "org-a", ttlMs: harness.ttlMs, variables: [{ name: "v", type: "boolean", value: true }] });
      await harness.elapse(harness.ttlMs);
      await eventually(async () => expect(await store.getSession("short")).toBeUndefined());
      expect(await store.touchSession("short")).toBeUndefined();

      const ended = await store.endedSession("short");
      expect(ended).toMatchObject({ reason: "expired", orgId: "org-a", ttlMs: harness.ttlMs });
      const idleMs = ended?.reason === "expired" ? ended.idleMs : 0;
      expect(idleMs).toBeGreaterThanOrEqual(harness.ttlMs - 20);
      expect(idleMs).toBeLessThan(harness.ttlMs + 5000);
      await expectEveryUseFails(
        store,
        "short",
        /^session 'short' expired: it was last used \d+(\.\d)? s ago and sessions expire after their TTL \(\d+(\.\d)? s\) without use; initialize a new session/,
      );
      // Cleaning up what already expired removes nothing and changes nothing.
      expect(await store.deleteSession("short")).toEqual({ removed: false, variablesRemoved: 0 });
      expect((await store.endedSession("short"))?.reason).toBe("expired");

      await store.createSession({ id: "short", orgId: "org-a", ttlMs: minute });
      expect(await store.endedSession("short")).toBeUndefined();
      expect(await store.getVariable("short", "v")).toBeUndefined();
    });

    it("keeps the id of another org's ended session from that org while it remembers the session", async () => {
      // Gateways trust a session's org for a moment without asking the store: an id that changed
      // orgs in that moment would let the old org's calls reach the new org's session.
      const store = await stores.open();
      await store.createSession({ id: "shared", orgId: "org-a", ttlMs: harness.ttlMs });
      await harness.elapse(harness.ttlMs);
      await eventually(async () => expect(await store.getSession("shared")).toBeUndefined());
      const taken = await rejection(store.createSession({ id: "shared", orgId: "org-b", ttlMs: minute }));
      expect([taken.code, taken.rawMessage]).toEqual([Code.AlreadyExists, "session id 'shared' was in use lately and is not free yet; choose another id"]);
      await store.createSession({ id: "gone", orgId: "org-a", ttlMs: minute });
      await store.deleteSession("gone");
      expect((await rejection(store.createSession({ id: "gone", orgId: "org-b", ttlMs: minute }))).code).toBe(Code.AlreadyExists);
      // Its own org may have it again.
      await store.createSession({ id: "shared", orgId: "org-a", ttlMs: minute });
      await store.createSession({ id: "gone", orgId: "org-a", ttlMs: minute });
    });

    it("says a session that never existed does not exist", async () => {
      const store = await stores.open();
      await store.createSession({ id: "live", orgId: "o", ttlMs: minute });
      expect(await store.endedSession("never")).toBeUndefined();
      expect(await store.endedSession("live")).toBeUndefined();
      await expectEveryUseFails(store, "never", "session 'never' does not exist; initialize a new session");
    });

    it("says a cleaned-up session was cleaned up, until its id is created again", async () => {
      const store = await stores.open();
      await store.createSession({ id: "done", orgId: "org-a", ttlMs: minute, variables: [{ name: "v", type: "boolean", value: true }] });
      await store.deleteSession("done");
      expect(await store.endedSession("done")).toEqual({ reason: "cleaned", orgId: "org-a" });
      await expectEveryUseFails(store, "done", "session 'done' was cleaned up; initialize a new session");

      await store.createSession({ id: "done", orgId: "org-a", ttlMs: minute });
      expect(await store.endedSession("done")).toBeUndefined();
      expect(await store.listVariables("done")).toEqual([]);
    });

    it("tells every instance how a session ended", async () => {
      const store = await stores.open();
      const other = await stores.sibling(store);
      await store.createSession({ id: "shared", orgId: "o", ttlMs: minute });
      await store.deleteSession("shared");
      expect((await rejection(other.getVariable("shared", "v"))).rawMessage).toBe("session 'shared' was cleaned up; initialize a new session");
    });

    it("forgets how a session ended after rememberEndedMs", async () => {
      const store = await stores.open({ rememberEndedMs: harness.ttlMs });
      await store.createSession({ id: "lapsed", orgId: "o", ttlMs: harness.ttlMs });
      await store.createSession({ id: "removed", orgId: "o", ttlMs: minute });
      await store.deleteSession("removed");
      await harness.elapse(harness.ttlMs);
      await eventually(async () => expect((await store.endedSession("lapsed"))?.reason).toBe("expired"));
      await harness.elapse(harness.ttlMs);
      await eventually(async () => {
        expect(await store.endedSession("lapsed")).toBeUndefined();
        expect(await store.endedSession("removed")).toBeUndefined();
      });
      expect((await rejection(store.getVariable("lapsed", "v"))).rawMessage).toBe("session 'lapsed' does not exist; initialize a new session");
    });

    it("refuses a rememberEndedMs that is not 1 ms to 7 days with INVALID_ARGUMENT", async () => {
      for (const rememberEndedMs of [0, 1.5, 8 * 24 * 3600 * 1000]) {
        expect((await rejection(stores.open({ rememberEndedMs }))).code).toBe(Code.InvalidArgument);
      }
    });

    // Only stores that keep a session in several keys (Redis) can leave some behind; others do not register it.
    const sessionKeys = harness.sessionKeys;
    if (sessionKeys !== undefined) {
      it("leaves only the tombstone of an expired session, and nothing once it is forgotten", async () => {
        const store = await stores.open({ rememberEndedMs: harness.ttlMs });
        await store.createSession({ id: "leak", orgId: "o", ttlMs: harness.ttlMs, variables: [{ name: "v", type: "integer", value: 1 }] });
        await store.commit("leak", { writes: [{ name: "w", type: "integer", value: 2 }] });
        await store.putSessionTool("leak", tool);
        await store.setAffinity("leak", "rt-1");
        expect(await sessionKeys(store, "leak")).toHaveLength(5);
        await harness.elapse(harness.ttlMs);
        await eventually(async () => expect(await sessionKeys(store, "leak")).toHaveLength(1));
        expect((await store.endedSession("leak"))?.reason).toBe("expired");
        await harness.elapse(harness.ttlMs);
        await eventually(async () => expect(await sessionKeys(store, "leak")).toEqual([]));
      });
    }
  });
}
