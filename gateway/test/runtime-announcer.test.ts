import { createConnectTransport } from "@connectrpc/connect-web";
import { afterEach, describe, expect, it } from "vitest";
import { announceRuntime } from "../src/registry/runtime-announcer.js";
import { type Harness, runtimeKey, startHarness } from "./support/harness.js";

/** Polls `check` every 10 ms for at most 5 s. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("announceRuntime", () => {
  let harness: Harness;

  afterEach(async () => {
    await harness?.close();
  });

  it("registers, heartbeats with load, registers again when forgotten, and deregisters on stop", async () => {
    harness = await startHarness({ gateway: { heartbeatIntervalMs: 20 } });
    const transport = createConnectTransport({ baseUrl: "http://gateway.test", fetch: harness.fetch });
    let inFlight = 0;
    const announcement = announceRuntime({
      transport,
      runtimeKey,
      runtime: () => ({ id: "rt-announced", url: "http://127.0.0.1:1", tools: [{ name: "t" }] }),
      load: () => ({ inFlight }),
    });
    await announcement.registered;
    expect((await harness.store.listRuntimes()).map((r) => r.id)).toEqual(["rt-announced"]);
    inFlight = 7;
    await eventually(async () => (await harness.store.listRuntimes())[0]?.load?.inFlight === 7, "a heartbeat with the load");
    await harness.store.deleteRuntime("rt-announced");
    await eventually(async () => (await harness.store.listRuntimes()).length === 1, "a new registration");
    await announcement.stop();
    expect(await harness.store.listRuntimes()).toEqual([]);
  });

  it("keeps trying while the gateway refuses, and reports each failure", async () => {
    harness = await startHarness({ gateway: { heartbeatIntervalMs: 20 } });
    const transport = createConnectTransport({ baseUrl: "http://gateway.test", fetch: harness.fetch });
    const errors: string[] = [];
    const announcement = announceRuntime({
      transport,
      runtimeKey: "wrong-runtime-key-0123456789",
      runtime: () => ({ id: "rt-late", url: "http://127.0.0.1:1", tools: [] }),
      onError: (err) => errors.push(err.message),
      timeoutMs: 1000,
      retryMs: 20,
    });
    await eventually(async () => errors.length >= 2, "a second attempt after a refused registration");
    expect(errors[0]).toMatch(/unauthenticated|permission_denied/);
    await announcement.stop({ deregister: false });
    expect(await harness.store.listRuntimes()).toEqual([]);
  });
});
