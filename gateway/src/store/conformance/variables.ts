import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { Store } from "../store.js";
import { rejection, type Stores } from "./support.js";

const minute = 60_000;

async function session(store: Store, id = "s"): Promise<string> {
  await store.createSession({ id, orgId: "o", ttlMs: minute });
  return id;
}

/** Variables: types, constraints, metadata, versions, compare-and-set, atomic commits, limits, isolation. */
export function describeVariableConformance(stores: Stores): void {
  const { harness } = stores;

  describe("variables", () => {
    it("stores a value of every type and reads it back", async () => {
      const store = await stores.open();
      const id = await session(store);
      const bytes = new Uint8Array([0, 1, 254, 255]);
      const values = {
        s: ["string", "héllo \n 😀"],
        i: ["integer", -9007199254740991],
        f: ["float", 0.1 + 0.2],
        b: ["boolean", false],
        o: ["object", { nested: { list: [1, "two", null, true] }, "": 0 }],
        a: ["array", [[], {}, 1.5e300]],
        y: ["bytes", bytes],
      } as const;
      const writes = Object.entries(values).map(([name, [type, value]]) => ({ name, type, value: value as never }));
      const { variables } = await store.commit(id, { writes });
      expect(variables.map((v) => v.version)).toEqual([1, 1, 1, 1, 1, 1, 1]);
      for (const [name, [type, value]] of Object.entries(values)) {
        const read = await store.getVariable(id, name);
        expect(read, name).toMatchObject({ name, type, version: 1 });
        expect(read?.value, name).toEqual(value);
      }
      expect((await store.getVariable(id, "y"))?.value).toBeInstanceOf(Uint8Array);
      expect(await store.getVariable(id, "missing")).toBeUndefined();
    });

    it("increases the version on every write, keeping created_at", async () => {
      const store = await stores.open();
      const id = await session(store);
      const [first] = (await store.commit(id, { writes: [{ name: "n", type: "integer", value: 1 }] })).variables;
      await harness.elapse(5);
      const [second] = (await store.commit(id, { writes: [{ name: "n", value: 2 }] })).variables;
      const [third] = (await store.commit(id, { writes: [{ name: "n", type: "integer", value: 2 }] })).variables;
      expect([first.version, second.version, third.version]).toEqual([1, 2, 3]);
      expect(second.createdAt).toBe(first.createdAt);
      expect(second.updatedAt).toBeGreaterThan(first.updatedAt);
      expect(await store.getVariable(id, "n")).toMatchObject({ value: 2, version: 3, createdAt: first.createdAt });
    });

    it("reads many variables aligned with the names and lists them by name", async () => {
      const store = await stores.open();
      const id = await session(store);
      await store.commit(id, { writes: ["c", "a", "b"].map((name) => ({ name, type: "string" as const, value: name })) });
      const many = await store.getVariables(id, ["b", "zz", "a"]);
      expect(many.map((v) => v?.value)).toEqual(["b", undefined, "a"]);
      expect((await store.listVariables(id)).map((v) => v.name)).toEqual(["a", "b", "c"]);
    });

    it("enforces the declared type on every write", async () => {
      const store = await stores.open();
      const id = await session(store);
      await store.commit(id, { writes: [{ name: "threshold", type: "integer", value: 3 }] });
      const err = await rejection(store.commit(id, { writes: [{ name: "threshold", value: 0.5 }] }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toBe("variable 'threshold' is declared integer; got 0.5");
      const change = await rejection(store.commit(id, { writes: [{ name: "threshold", type: "float", value: 0.5 }] }));
      expect(change.code).toBe(Code.FailedPrecondition);
      const create = await rejection(store.commit(id, { writes: [{ name: "fresh", value: 1 }] }));
      expect(create.rawMessage).toBe("variable 'fresh' does not exist yet; give its type to create it");
      expect(await store.getVariable(id, "threshold")).toMatchObject({ value: 3, version: 1 });
    });

    it("keeps constraints across writes and enforces them until replaced", async () => {
      const store = await stores.open();
      const id = await session(store);
      await store.commit(id, { writes: [{ name: "level", type: "integer", value: 5, constraints: { min: 0, max: 10 } }] });
      const err = await rejection(store.commit(id, { writes: [{ name: "level", value: 11 }] }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toBe("variable 'level' must be at most 10; got 11");
      expect((await rejection(store.commit(id, { writes: [{ name: "level", type: "integer", value: -1 }] }))).code).toBe(Code.InvalidArgument);
      await store.commit(id, { writes: [{ name: "level", value: 11, constraints: { max: 20 } }] });
      expect(await store.getVariable(id, "level")).toMatchObject({ value: 11, version: 2, constraints: { max: 20 } });
      await store.commit(id, { writes: [{ name: "level", value: 99, constraints: {} }] });
      expect((await store.getVariable(id, "level"))?.constraints).toBeUndefined();
    });

    it("enforces constraints another instance set, whatever this one saw before", async () => {
      const store = await stores.open();
      const other = await stores.sibling(store);
      const id = await session(store);
      await store.commit(id, { writes: [{ name: "mode", type: "string", value: "fast", constraints: { allowed: ["fast", "safe", "slow"] } }] });
      await other.commit(id, { writes: [{ name: "mode", value: "slow" }] });
      await store.commit(id, { writes: [{ name: "mode", value: "safe", constraints: { allowed: ["fast", "safe"] } }] });
      const err = await rejection(other.commit(id, { writes: [{ name: "mode", type: "string", value: "slow" }] }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toContain("must be one of");
      await store.deleteSession(id);
      await store.createSession({ id, orgId: "o", ttlMs: minute });
      await store.commit(id, { writes: [{ name: "mode", type: "integer", value: 1 }] });
      const typed = await rejection(other.commit(id, { writes: [{ name: "mode", value: "slow" }] }));
      expect(typed.rawMessage).toBe('variable \'mode\' is declared integer; got a string ("slow")');
    });

    it("keeps metadata unless a write replaces it", async () => {
      const store = await stores.open();
      const id = await session(store);
      const metadata = { createdBy: "org-a", tags: ["x", "y"], description: "a number" };
      await store.commit(id, { writes: [{ name: "m", type: "float", value: 1, metadata }] });
      const [kept] = (await store.commit(id, { writes: [{ name: "m", value: 2 }] })).variables;
      expect(kept.metadata).toEqual(metadata);
      expect((await store.getVariable(id, "m"))?.metadata).toEqual(metadata);
      const [replaced] = (await store.commit(id, { writes: [{ name: "m", value: 3, metadata: { tags: ["z"] } }] })).variables;
      expect(replaced.metadata).toEqual({ tags: ["z"] });
      await store.commit(id, { writes: [{ name: "m", value: 4, metadata: {} }] });
      expect((await store.getVariable(id, "m"))?.metadata).toBeUndefined();
    });

    it("rejects a stale expected_version with ABORTED and changes nothing", async () => {
      const store = await stores.open();
      const id = await session(store);
      await store.commit(id, { writes: [{ name: "n", type: "integer", value: 1 }] });
      await store.commit(id, { writes: [{ name: "n", value: 2, expectedVersion: 1 }] });
      const err = await rejection(store.commit(id, { writes: [{ name: "n", value: 3, expectedVersion: 1 }] }));
      expect(err.code).toBe(Code.Aborted);
      expect(err.rawMessage).toBe("variable 'n' is at version 2 but the write expected version 1; read it again and retry");
      expect(await store.getVariable(id, "n")).toMatchObject({ value: 2, version: 2 });
      const exists = await rejection(store.commit(id, { writes: [{ name: "n", value: 3, expectedVersion: 0 }] }));
      expect(exists.code).toBe(Code.Aborted);
      await store.commit(id, { writes: [{ name: "new", type: "integer", value: 1, expectedVersion: 0 }] });
      const missing = await rejection(store.commit(id, { writes: [{ name: "other", type: "integer", value: 1, expectedVersion: 4 }] }));
      expect(missing.rawMessage).toBe("variable 'other' does not exist but the write expected version 4; read it again and retry");
      expect((await rejection(store.commit(id, { deletes: [{ name: "n", expectedVersion: 1 }] }))).code).toBe(Code.Aborted);
      expect((await store.commit(id, { deletes: [{ name: "n", expectedVersion: 2 }] })).deleted).toEqual(["n"]);
    });

    it("lets exactly one of many concurrent compare-and-set writers win each version", async () => {
      const store = await stores.open();
      const other = await stores.sibling(store);
      const id = await session(store);
      await store.commit(id, { writes: [{ name: "counter", type: "integer", value: 0 }] });
      const attempt = async (s: Store) => {
        const current = await s.getVariable(id, "counter");
        try {
          await s.commit(id, { writes: [{ name: "counter", value: (current?.value as number) + 1, expectedVersion: current?.version }] });
          return "won";
        } catch (err) {
          if (err instanceof ConnectError && err.code === Code.Aborted) return "lost";
          throw err;
        }
      };
      const outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) => attempt(i % 2 ? store : other)));
      const wins = outcomes.filter((o) => o === "won").length;
      expect(wins).toBeGreaterThanOrEqual(1);
      expect(await store.getVariable(id, "counter")).toMatchObject({ value: wins, version: wins + 1 });
    });

    it("applies a commit all or nothing when one item breaks a rule", async () => {
      const store = await stores.open();
      const id = await session(store);
      await store.commit(id, { writes: [{ name: "a", type: "integer", value: 1 }, { name: "b", type: "string", value: "x" }] });
      const err = await rejection(
        store.commit(id, {
          writes: [
            { name: "a", value: 2 },
            { name: "c", type: "boolean", value: true },
            { name: "b", value: 3 },
          ],
          deletes: [{ name: "d" }],
        }),
      );
      expect(err.code).toBe(Code.InvalidArgument);
      const stale = await rejection(
        store.commit(id, { writes: [{ name: "a", value: 2 }, { name: "b", value: "y", expectedVersion: 7 }], deletes: [{ name: "a2" }] }),
      );
      expect(stale.code).toBe(Code.Aborted);
      const withDelete = await rejection(store.commit(id, { writes: [{ name: "c", type: "boolean", value: true }], deletes: [{ name: "a", expectedVersion: 9 }] }));
      expect(withDelete.code).toBe(Code.Aborted);
      expect((await store.listVariables(id)).map((v) => [v.name, v.value, v.version])).toEqual([["a", 1, 1], ["b", "x", 1]]);
    });

    it("applies writes and deletes together and reports what it did", async () => {
      const store = await stores.open();
      const id = await session(store);
      const created = await store.commit(id, { writes: [{ name: "a", type: "integer", value: 1 }, { name: "b", type: "integer", value: 2 }] });
      const result = await store.commit(id, { writes: [{ name: "c", type: "integer", value: 3 }], deletes: [{ name: "a" }, { name: "zz" }] });
      expect(result.variables.map((v) => v.name)).toEqual(["c"]);
      expect(result.deleted).toEqual(["a"]);
      expect(result.sequence).toBe(created.sequence + 2);
      expect((await store.listVariables(id)).map((v) => v.name)).toEqual(["b", "c"]);
    });

    it("refuses to create variables past maxVariablesPerSession, but allows replacing them", async () => {
      const store = await stores.open({ limits: { maxVariablesPerSession: 2 } });
      const id = await session(store);
      await store.commit(id, { writes: [{ name: "a", type: "integer", value: 1 }, { name: "b", type: "integer", value: 2 }] });
      const err = await rejection(store.commit(id, { writes: [{ name: "a", value: 5 }, { name: "c", type: "integer", value: 3 }] }));
      expect(err.code).toBe(Code.ResourceExhausted);
      expect(err.rawMessage).toBe("session 's' would hold more than 2 variables; delete some first");
      expect((await store.getVariable(id, "a"))?.value).toBe(1);
      await store.commit(id, { writes: [{ name: "a", value: 5 }] });
      await store.commit(id, { writes: [{ name: "c", type: "integer", value: 3 }], deletes: [{ name: "b" }] });
      expect((await store.listVariables(id)).map((v) => v.name)).toEqual(["a", "c"]);
      const tooMany = await rejection(
        store.createSession({ id: "big", orgId: "o", ttlMs: minute, variables: ["x", "y", "z"].map((name) => ({ name, type: "integer" as const, value: 0 })) }),
      );
      expect(tooMany.code).toBe(Code.ResourceExhausted);
    });

    it("refuses values past maxValueBytes with RESOURCE_EXHAUSTED", async () => {
      const store = await stores.open({ limits: { maxValueBytes: 64 } });
      const id = await session(store);
      const err = await rejection(store.commit(id, { writes: [{ name: "big", type: "string", value: "x".repeat(100) }] }));
      expect(err.code).toBe(Code.ResourceExhausted);
      const bytes = await rejection(store.commit(id, { writes: [{ name: "blob", type: "bytes", value: new Uint8Array(65) }] }));
      expect(bytes.code).toBe(Code.ResourceExhausted);
      expect(await store.listVariables(id)).toEqual([]);
    });

    it("keeps sessions apart", async () => {
      const store = await stores.open();
      await session(store, "one");
      await session(store, "two");
      await store.commit("one", { writes: [{ name: "shared", type: "string", value: "from one" }] });
      await store.commit("two", { writes: [{ name: "shared", type: "integer", value: 2 }] });
      expect((await store.getVariable("one", "shared"))?.value).toBe("from one");
      expect((await store.getVariable("two", "shared"))?.value).toBe(2);
      await store.commit("two", { deletes: [{ name: "shared" }] });
      expect((await store.getVariable("one", "shared"))?.version).toBe(1);
      await store.deleteSession("one");
      expect(await store.getVariables("two", ["shared"])).toEqual([undefined]);
      expect((await store.getSession("two"))?.id).toBe("two");
    });

    it("refuses variable calls on a missing session with NOT_FOUND", async () => {
      const store = await stores.open();
      for (const call of [
        store.getVariable("ghost", "v"),
        store.getVariables("ghost", ["v"]),
        store.listVariables("ghost"),
        store.commit("ghost", { writes: [{ name: "v", type: "string", value: "" }] }),
        store.watch("ghost"),
      ]) {
        const err = await rejection(call);
        expect(err.code).toBe(Code.NotFound);
        expect(err.rawMessage).toContain("session 'ghost' does not exist");
      }
    });
  });
}
