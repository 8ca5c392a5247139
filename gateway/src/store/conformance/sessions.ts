import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { describe, expect, it } from "vitest";
import { eventually, rejection, type Stores } from "./support.js";

const minute = 60_000;

/** Sessions: creation, reads, the sliding TTL, cleanup, paging, counting and the session limit. */
export function describeSessionConformance(stores: Stores): void {
  const { harness } = stores;

  describe("sessions", () => {
    it("creates a session and reads it back", async () => {
      const store = await stores.open();
      const { session, variables } = await store.createSession({ id: "s-1", orgId: "org-a", metadata: { user: "ada" }, ttlMs: minute });
      expect(session).toMatchObject({ id: "s-1", orgId: "org-a", metadata: { user: "ada" }, ttlMs: minute });
      expect(session.expiresAt - session.createdAt).toBeGreaterThanOrEqual(minute - 50);
      expect(session.expiresAt - session.createdAt).toBeLessThanOrEqual(minute + 50);
      expect(variables).toEqual([]);
      expect(await store.getSession("s-1")).toMatchObject({ id: "s-1", orgId: "org-a", metadata: { user: "ada" }, createdAt: session.createdAt });
      expect(await store.getSession("nope")).toBeUndefined();
      expect(await store.touchSession("nope")).toBeUndefined();
    });

    it("generates an id when none is given", async () => {
      const store = await stores.open();
      const a = await store.createSession({ orgId: "o", ttlMs: minute });
      const b = await store.createSession({ orgId: "o", ttlMs: minute });
      expect(a.session.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.session.id).not.toBe(b.session.id);
    });

    it("refuses a live id with ALREADY_EXISTS and allows it again after cleanup", async () => {
      const store = await stores.open();
      await store.createSession({ id: "dup", orgId: "o", ttlMs: minute });
      const err = await rejection(store.createSession({ id: "dup", orgId: "o", ttlMs: minute }));
      expect(err.code).toBe(Code.AlreadyExists);
      expect(err.rawMessage).toContain("session 'dup' already exists");
      expect(await store.deleteSession("dup")).toEqual({ removed: true, variablesRemoved: 0 });
      await store.createSession({ id: "dup", orgId: "o", ttlMs: minute });
    });

    it("creates initial variables with the session, all or nothing", async () => {
      const store = await stores.open();
      const { variables } = await store.createSession({
        id: "init",
        orgId: "o",
        ttlMs: minute,
        variables: [
          { name: "a", type: "integer", value: 1 },
          { name: "b", type: "string", value: "two" },
        ],
      });
      expect(variables.map((v) => [v.name, v.value, v.version])).toEqual([["a", 1, 1], ["b", "two", 1]]);
      expect((await store.listVariables("init")).map((v) => v.name)).toEqual(["a", "b"]);

      const err = await rejection(
        store.createSession({
          id: "bad-init",
          orgId: "o",
          ttlMs: minute,
          variables: [
            { name: "a", type: "integer", value: 1 },
            { name: "b", type: "integer", value: "two" },
          ],
        }),
      );
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toBe('variable \'b\' is declared integer; got a string ("two")');
      expect(await store.getSession("bad-init")).toBeUndefined();
    });

    it("refuses bad ids, TTLs and metadata with INVALID_ARGUMENT", async () => {
      const store = await stores.open();
      for (const input of [
        { id: "has space", orgId: "o", ttlMs: minute },
        { id: "ok", orgId: "o", ttlMs: 0 },
        { id: "ok", orgId: "o", ttlMs: 1.5 },
        { id: "ok", orgId: "o", ttlMs: minute, metadata: { "": "x" } },
      ]) {
        expect((await rejection(store.createSession(input))).code).toBe(Code.InvalidArgument);
      }
      expect(await store.countSessions()).toBe(0);
    });

    it("reads an expired session as absent, and its variables as NOT_FOUND", async () => {
      const store = await stores.open();
      await store.createSession({ id: "short", orgId: "o", ttlMs: harness.ttlMs, variables: [{ name: "v", type: "boolean", value: true }] });
      await harness.elapse(harness.ttlMs);
      await eventually(async () => expect(await store.getSession("short")).toBeUndefined());
      expect(await store.touchSession("short")).toBeUndefined();
      const err = await rejection(store.getVariable("short", "v"));
      expect(err.code).toBe(Code.NotFound);
      expect(err.rawMessage).toMatch(/^session 'short' expired: /);
      expect(await store.deleteSession("short")).toEqual({ removed: false, variablesRemoved: 0 });
    });

    it("slides the expiry forward on every touch", async () => {
      const store = await stores.open();
      const { session } = await store.createSession({ id: "slide", orgId: "o", ttlMs: harness.ttlMs });
      await harness.elapse(harness.ttlMs * 0.6);
      const touched = await store.touchSession("slide");
      expect(touched?.expiresAt).toBeGreaterThan(session.expiresAt);
      await harness.elapse(harness.ttlMs * 0.6);
      // Past the first expiry, alive because of the touch.
      expect(await store.getSession("slide")).toBeDefined();
      await harness.elapse(harness.ttlMs);
      await eventually(async () => expect(await store.getSession("slide")).toBeUndefined());
    });

    it("does not extend a session on getSession", async () => {
      const store = await stores.open();
      const { session } = await store.createSession({ id: "peek", orgId: "o", ttlMs: minute });
      await harness.elapse(20);
      const read = await store.getSession("peek");
      expect(Math.abs((read?.expiresAt ?? 0) - session.expiresAt)).toBeLessThanOrEqual(5);
    });

    it("slides every key of a session on a variable read", async () => {
      const store = await stores.open();
      await store.createSession({ id: "keys", orgId: "o", ttlMs: harness.ttlMs, variables: [{ name: "v", type: "integer", value: 7 }] });
      await store.putSessionTool("keys", { tool: create(ToolInfoSchema, { name: "t" }), endpoint: "http://127.0.0.1:1" });
      await store.setAffinity("keys", "rt-1");
      await harness.elapse(harness.ttlMs * 0.6);
      expect((await store.getVariable("keys", "v"))?.value).toBe(7);
      await harness.elapse(harness.ttlMs * 0.6);
      expect((await store.listVariables("keys")).map((v) => v.value)).toEqual([7]);
      expect((await store.listSessionTools("keys")).map((t) => t.tool.name)).toEqual(["t"]);
      expect((await store.getSession("keys"))?.runtimeId).toBe("rt-1");
    });

    it("removes everything of a session on cleanup, and a re-created id starts empty", async () => {
      const store = await stores.open();
      await store.createSession({
        id: "gone",
        orgId: "o",
        ttlMs: minute,
        variables: [
          { name: "a", type: "integer", value: 1 },
          { name: "b", type: "integer", value: 2 },
        ],
      });
      await store.putSessionTool("gone", { tool: create(ToolInfoSchema, { name: "t" }), endpoint: "http://127.0.0.1:1" });
      await store.setAffinity("gone", "rt-1");
      expect(await store.deleteSession("gone")).toEqual({ removed: true, variablesRemoved: 2 });
      expect(await store.getSession("gone")).toBeUndefined();
      expect((await rejection(store.listVariables("gone"))).code).toBe(Code.NotFound);
      await store.createSession({ id: "gone", orgId: "o", ttlMs: minute });
      expect(await store.listVariables("gone")).toEqual([]);
      expect(await store.listSessionTools("gone")).toEqual([]);
      expect((await store.getSession("gone"))?.runtimeId).toBeUndefined();
      const watch = (await store.watch("gone"))[Symbol.asyncIterator]();
      const first = watch.next();
      await store.commit("gone", { writes: [{ name: "a", type: "integer", value: 5 }] });
      expect((await first).value).toMatchObject({ kind: "set", sequence: 1, variable: { name: "a", version: 1 } });
      await watch.return?.();
    });

    it("lists live sessions by id, a page at a time", async () => {
      const store = await stores.open();
      const ids = ["s05", "s01", "s04", "s02", "s03"];
      for (const id of ids) await store.createSession({ id, orgId: "o", ttlMs: minute });
      const first = await store.listSessions({ pageSize: 2 });
      expect(first.sessions.map((s) => s.id)).toEqual(["s01", "s02"]);
      expect(first.nextPageToken).not.toBe("");
      const second = await store.listSessions({ pageSize: 2, pageToken: first.nextPageToken });
      expect(second.sessions.map((s) => s.id)).toEqual(["s03", "s04"]);
      const third = await store.listSessions({ pageSize: 2, pageToken: second.nextPageToken });
      expect(third.sessions.map((s) => s.id)).toEqual(["s05"]);
      expect(third.nextPageToken).toBe("");
      expect((await store.listSessions()).sessions).toHaveLength(5);
      expect((await rejection(store.listSessions({ pageToken: "forged" }))).code).toBe(Code.InvalidArgument);
    });

    it("counts and lists only live sessions", async () => {
      const store = await stores.open();
      await store.createSession({ id: "long", orgId: "o", ttlMs: minute });
      await store.createSession({ id: "brief", orgId: "o", ttlMs: harness.ttlMs });
      expect(await store.countSessions()).toBe(2);
      await harness.elapse(harness.ttlMs);
      await eventually(async () => expect(await store.countSessions()).toBe(1));
      expect((await store.listSessions()).sessions.map((s) => s.id)).toEqual(["long"]);
    });

    it("refuses sessions past maxSessions with RESOURCE_EXHAUSTED, counting only live ones", async () => {
      const store = await stores.open({ limits: { maxSessions: 2 } });
      await store.createSession({ id: "a", orgId: "o", ttlMs: minute });
      await store.createSession({ id: "b", orgId: "o", ttlMs: harness.ttlMs });
      const err = await rejection(store.createSession({ id: "c", orgId: "o", ttlMs: minute }));
      expect(err.code).toBe(Code.ResourceExhausted);
      expect(err.rawMessage).toContain("limit of 2 sessions");
      await harness.elapse(harness.ttlMs);
      await eventually(async () => {
        await store.createSession({ id: "c", orgId: "o", ttlMs: minute });
      });
      await store.deleteSession("a");
      await store.createSession({ id: "d", orgId: "o", ttlMs: minute });
    });
  });
}
