import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { RuntimeInfoSchema, RuntimeLoadSchema } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { describe, expect, it } from "vitest";
import { eventually, rejection, type Stores } from "./support.js";

const minute = 60_000;

function runtime(id: string, inFlight = 0) {
  return create(RuntimeInfoSchema, {
    id,
    url: `http://127.0.0.1:${id === "rt-a" ? 50051 : 50052}`,
    tools: [create(ToolInfoSchema, { name: "reverse_text", language: "python" })],
    capacity: { workers: 2, workerConcurrency: 4, maxQueue: 100 },
    load: create(RuntimeLoadSchema, { inFlight, queued: 0 }),
    labels: { zone: "local" },
  });
}

/** The runtime registry: registration, heartbeats with load, expiry and removal. */
export function describeRegistryConformance(stores: Stores): void {
  const { harness } = stores;

  describe("runtime registry", () => {
    it("lists registered runtimes with their tools, capacity, load and times", async () => {
      const store = await stores.open();
      const other = await stores.sibling(store);
      const put = await store.putRuntime(runtime("rt-b", 3), minute);
      await store.putRuntime(runtime("rt-a"), minute);
      const listed = await other.listRuntimes();
      expect(listed.map((r) => r.id)).toEqual(["rt-a", "rt-b"]);
      expect(listed[1]).toMatchObject({
        url: "http://127.0.0.1:50052",
        tools: [{ name: "reverse_text", language: "python" }],
        capacity: { workers: 2, workerConcurrency: 4, maxQueue: 100 },
        load: { inFlight: 3, queued: 0 },
        labels: { zone: "local" },
      });
      expect(timestampMs(listed[1].registeredAt!)).toBe(timestampMs(put.registeredAt!));
    });

    it("records load on heartbeat and keeps the first registration time", async () => {
      const store = await stores.open();
      const first = await store.putRuntime(runtime("rt-a"), minute);
      await harness.elapse(5);
      expect(await store.heartbeatRuntime("rt-a", create(RuntimeLoadSchema, { inFlight: 7, queued: 2 }), minute)).toBe(true);
      const [beat] = await store.listRuntimes();
      expect(beat.load).toMatchObject({ inFlight: 7, queued: 2 });
      expect(timestampMs(beat.lastHeartbeatAt!)).toBeGreaterThan(timestampMs(first.lastHeartbeatAt!));
      const again = await store.putRuntime(runtime("rt-a"), minute);
      expect(timestampMs(again.registeredAt!)).toBe(timestampMs(first.registeredAt!));
      expect(await store.heartbeatRuntime("rt-unknown", undefined, minute)).toBe(false);
    });

    it("drops a runtime whose heartbeats stop, and a late heartbeat is not known", async () => {
      const store = await stores.open();
      await store.putRuntime(runtime("rt-a"), harness.ttlMs);
      await store.putRuntime(runtime("rt-b"), minute);
      await harness.elapse(harness.ttlMs * 0.6);
      expect(await store.heartbeatRuntime("rt-a", undefined, harness.ttlMs)).toBe(true);
      await harness.elapse(harness.ttlMs * 0.6);
      expect((await store.listRuntimes()).map((r) => r.id)).toEqual(["rt-a", "rt-b"]);
      await harness.elapse(harness.ttlMs);
      await eventually(async () => expect((await store.listRuntimes()).map((r) => r.id)).toEqual(["rt-b"]));
      expect(await store.heartbeatRuntime("rt-a", undefined, harness.ttlMs)).toBe(false);
    });

    it("removes a runtime on delete", async () => {
      const store = await stores.open();
      await store.putRuntime(runtime("rt-a"), minute);
      expect(await store.deleteRuntime("rt-a")).toBe(true);
      expect(await store.deleteRuntime("rt-a")).toBe(false);
      expect(await store.listRuntimes()).toEqual([]);
      expect((await rejection(store.putRuntime(runtime("bad id"), minute))).code).toBe(Code.InvalidArgument);
      expect((await rejection(store.putRuntime(runtime("rt-a"), 0))).code).toBe(Code.InvalidArgument);
    });
  });
}
