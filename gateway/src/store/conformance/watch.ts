import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { VariableChange } from "../../variables/variable.js";
import { next, rejection, type Stores, take } from "./support.js";

const minute = 60_000;

/** Watches: every change in order, snapshots, filters, concurrent writers, and every way a watch ends. */
export function describeWatchConformance(stores: Stores): void {
  const { harness } = stores;

  describe("watch", () => {
    it("yields every change in order with a sequence that increases by one", async () => {
      const store = await stores.open();
      await store.createSession({ id: "w", orgId: "o", ttlMs: minute });
      const watch = (await store.watch("w"))[Symbol.asyncIterator]();
      await store.commit("w", { writes: [{ name: "a", type: "integer", value: 1 }] });
      await store.commit("w", { writes: [{ name: "a", value: 2 }, { name: "b", type: "bytes", value: new Uint8Array([9]) }] });
      await store.commit("w", { deletes: [{ name: "a" }] });
      const changes = await take(watch, 4);
      expect(changes.map((c) => [c.kind, c.variable.name, c.variable.version, c.sequence])).toEqual([
        ["set", "a", 1, 1],
        ["set", "a", 2, 2],
        ["set", "b", 1, 3],
        ["delete", "a", 2, 4],
      ]);
      expect(changes[3].variable.value).toBe(2);
      expect(changes[2].variable.value).toEqual(new Uint8Array([9]));
      await watch.return?.();
    });

    it("starts with a snapshot when asked, then follows on from it", async () => {
      const store = await stores.open();
      await store.createSession({
        id: "w",
        orgId: "o",
        ttlMs: minute,
        variables: [
          { name: "a", type: "string", value: "A" },
          { name: "b", type: "string", value: "B" },
        ],
      });
      await store.commit("w", { writes: [{ name: "a", value: "A2" }] });
      const watch = (await store.watch("w", { includeInitial: true }))[Symbol.asyncIterator]();
      await store.commit("w", { writes: [{ name: "b", value: "B2" }] });
      const changes = await take(watch, 3);
      expect(changes.map((c) => [c.kind, c.variable.name, c.variable.value, c.sequence])).toEqual([
        ["initial", "a", "A2", 1],
        ["initial", "b", "B", 1],
        ["set", "b", "B2", 2],
      ]);
      await watch.return?.();
    });

    it("yields only the names asked for", async () => {
      const store = await stores.open();
      await store.createSession({ id: "w", orgId: "o", ttlMs: minute, variables: [{ name: "x", type: "integer", value: 0 }] });
      const watch = (await store.watch("w", { names: ["x", "absent"], includeInitial: true }))[Symbol.asyncIterator]();
      await store.commit("w", { writes: [{ name: "y", type: "integer", value: 1 }] });
      await store.commit("w", { writes: [{ name: "x", value: 2 }] });
      const changes = await take(watch, 2);
      expect(changes.map((c) => [c.kind, c.variable.name, c.variable.value, c.sequence])).toEqual([
        ["initial", "x", 0, 0],
        ["set", "x", 2, 2],
      ]);
      await watch.return?.();
    });

    it("sees every change of concurrent writers on several instances, in one order", async () => {
      const store = await stores.open();
      const other = await stores.sibling(store);
      await store.createSession({ id: "w", orgId: "o", ttlMs: minute });
      const watch = (await store.watch("w"))[Symbol.asyncIterator]();
      const writers = 4;
      const each = 25;
      const write = async (writer: number) => {
        const target = writer % 2 ? other : store;
        for (let i = 0; i < each; i++) {
          await target.commit("w", { writes: [{ name: `v${writer}`, type: "integer", value: i }] });
        }
      };
      const [changes] = await Promise.all([take(watch, writers * each), Promise.all(Array.from({ length: writers }, (_, w) => write(w)))]);
      expect(changes.map((c) => c.sequence)).toEqual(Array.from({ length: writers * each }, (_, i) => i + 1));
      for (let w = 0; w < writers; w++) {
        const mine = changes.filter((c) => c.variable.name === `v${w}`);
        expect(mine.map((c) => c.variable.value)).toEqual(Array.from({ length: each }, (_, i) => i));
        expect(mine.map((c) => c.variable.version)).toEqual(Array.from({ length: each }, (_, i) => i + 1));
      }
      await watch.return?.();
    });

    it("does not see other sessions' changes", async () => {
      const store = await stores.open();
      await store.createSession({ id: "mine", orgId: "o", ttlMs: minute });
      await store.createSession({ id: "theirs", orgId: "o", ttlMs: minute });
      const watch = (await store.watch("mine"))[Symbol.asyncIterator]();
      await store.commit("theirs", { writes: [{ name: "v", type: "integer", value: 1 }] });
      await store.commit("mine", { writes: [{ name: "v", type: "integer", value: 2 }] });
      const [change] = await take(watch, 1);
      expect(change).toMatchObject({ sequence: 1, variable: { name: "v", value: 2 } });
      await watch.return?.();
    });

    it("ends when its signal aborts", async () => {
      const store = await stores.open();
      await store.createSession({ id: "w", orgId: "o", ttlMs: minute });
      const abort = new AbortController();
      const watch = (await store.watch("w", { signal: abort.signal }))[Symbol.asyncIterator]();
      const pending = next(watch);
      abort.abort();
      expect((await pending).done).toBe(true);
    });

    it("ends when the session is cleaned up, on this instance or another", async () => {
      const store = await stores.open();
      const other = await stores.sibling(store);
      await store.createSession({ id: "here", orgId: "o", ttlMs: minute });
      await store.createSession({ id: "there", orgId: "o", ttlMs: minute });
      const here = (await store.watch("here"))[Symbol.asyncIterator]();
      const there = (await store.watch("there"))[Symbol.asyncIterator]();
      const pendingHere = next(here);
      const pendingThere = next(there);
      await store.deleteSession("here");
      await other.deleteSession("there");
      expect((await pendingHere).done).toBe(true);
      expect((await pendingThere).done).toBe(true);
    });

    it("ends when the session expires", async () => {
      const store = await stores.open();
      await store.createSession({ id: "w", orgId: "o", ttlMs: harness.ttlMs });
      const watch = (await store.watch("w"))[Symbol.asyncIterator]();
      const pending = next(watch, harness.ttlMs + 5000);
      await harness.elapse(harness.ttlMs);
      expect((await pending).done).toBe(true);
    });

    it("fails RESOURCE_EXHAUSTED when the reader falls behind the change log", async () => {
      const store = await stores.open({ changeLogLength: 5 });
      await store.createSession({ id: "w", orgId: "o", ttlMs: minute });
      const watch = (await store.watch("w"))[Symbol.asyncIterator]();
      for (let i = 0; i < 12; i++) await store.commit("w", { writes: [{ name: "n", type: "integer", value: i }] });
      const err = await rejection(next(watch));
      expect(err.code).toBe(Code.ResourceExhausted);
      expect(err.rawMessage).toContain("fell more than 5 changes behind");
    });

    it("refuses watches past maxWatchers and frees a place when one ends", async () => {
      const store = await stores.open({ limits: { maxWatchers: 2 } });
      await store.createSession({ id: "w", orgId: "o", ttlMs: minute });
      const first = new AbortController();
      await store.watch("w", { signal: first.signal });
      const second: AsyncIterator<VariableChange> = (await store.watch("w"))[Symbol.asyncIterator]();
      expect((await rejection(store.watch("w"))).code).toBe(Code.ResourceExhausted);
      first.abort();
      await second.return?.();
      await store.watch("w", { signal: AbortSignal.abort() });
      const third = (await store.watch("w"))[Symbol.asyncIterator]();
      await third.return?.();
    });
  });
}
