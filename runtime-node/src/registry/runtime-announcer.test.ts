import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { RegistryService } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { describe, expect, it } from "vitest";
import { announceRuntime } from "./runtime-announcer.js";

// A gateway's registry in memory (the real one is exercised end to end in test/bridge-registration.test.ts).
function fakeRegistry(options: { key: string; heartbeatIntervalMs: number }) {
  const runtimes = new Map<string, { url: string; inFlight: number }>();
  const calls: string[] = [];
  let failing = false;
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const wake of [...waiters]) wake();
  };
  const transport = createRouterTransport(({ service }) => {
    service(RegistryService, {
      registerRuntime(request, context) {
        calls.push("register");
        changed();
        if (failing) throw new ConnectError("down", Code.Unavailable);
        if (context.requestHeader.get("authorization") !== `Bearer ${options.key}`) {
          throw new ConnectError("wrong key", Code.Unauthenticated);
        }
        runtimes.set(request.runtime?.id ?? "", { url: request.runtime?.url ?? "", inFlight: 0 });
        changed();
        return { heartbeatIntervalMs: options.heartbeatIntervalMs, ttlMs: 1000 };
      },
      heartbeat(request) {
        calls.push("heartbeat");
        changed();
        if (failing) throw new ConnectError("down", Code.Unavailable);
        const runtime = runtimes.get(request.runtimeId);
        if (runtime !== undefined) runtime.inFlight = request.load?.inFlight ?? 0;
        changed();
        return { known: runtime !== undefined };
      },
      deregisterRuntime(request) {
        calls.push("deregister");
        changed();
        runtimes.delete(request.runtimeId);
        changed();
        return {};
      },
    });
  });
  return {
    transport,
    runtimes,
    calls,
    setFailing(value: boolean) {
      failing = value;
    },
    /** Resolves once `check` holds, re-checked on every request; rejects after 5 s. */
    until(check: () => boolean, what: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`timed out waiting for ${what}`));
        }, 5000);
        const wake = () => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
        wake();
      });
    },
  };
}

const key = "runtime-key-0123456789";

describe("announceRuntime", () => {
  it("registers, heartbeats with the load, registers again when forgotten, and deregisters on stop", async () => {
    const registry = fakeRegistry({ key, heartbeatIntervalMs: 5 });
    let inFlight = 0;
    let registrations = 0;
    const announcement = announceRuntime({
      transport: registry.transport,
      runtimeKey: key,
      runtime: () => ({ id: "rt-a", url: "http://127.0.0.1:1", tools: [{ name: "t" }] }),
      load: () => ({ inFlight }),
      onRegistered: () => registrations++,
    });
    await announcement.registered;
    expect([...registry.runtimes.keys()]).toEqual(["rt-a"]);
    inFlight = 7;
    await registry.until(() => registry.runtimes.get("rt-a")?.inFlight === 7, "a heartbeat with the load");
    registry.runtimes.clear();
    await registry.until(() => registrations === 2, "a new registration");
    expect([...registry.runtimes.keys()]).toEqual(["rt-a"]);
    await announcement.stop();
    expect(registry.runtimes.size).toBe(0);
    expect(registry.calls.at(-1)).toBe("deregister");
  });

  it("keeps trying while the gateway is down, reports each failure, and registers once it is back", async () => {
    const registry = fakeRegistry({ key, heartbeatIntervalMs: 5 });
    registry.setFailing(true);
    const errors: string[] = [];
    const announcement = announceRuntime({
      transport: registry.transport,
      runtimeKey: key,
      runtime: () => ({ id: "rt-late", url: "http://127.0.0.1:1", tools: [] }),
      onError: (err) => errors.push(err.message),
      retryMs: 5,
    });
    await registry.until(() => errors.length >= 2, "a second attempt");
    expect(errors[0]).toMatch(/unavailable/);
    expect(registry.runtimes.size).toBe(0);
    registry.setFailing(false);
    await announcement.registered;
    expect([...registry.runtimes.keys()]).toEqual(["rt-late"]);
    await announcement.stop({ deregister: false });
    expect(registry.runtimes.size).toBe(1);
  });

  it("reports a refused credential and does not register", async () => {
    const registry = fakeRegistry({ key, heartbeatIntervalMs: 5 });
    const errors: string[] = [];
    const announcement = announceRuntime({
      transport: registry.transport,
      runtimeKey: "wrong-key-0123456789",
      runtime: () => ({ id: "rt-wrong", url: "http://127.0.0.1:1", tools: [] }),
      onError: (err) => errors.push(err.message),
      retryMs: 5,
    });
    await registry.until(() => errors.length >= 1, "a refusal");
    await announcement.stop();
    expect(errors[0]).toMatch(/unauthenticated/);
    expect(registry.runtimes.size).toBe(0);
  });

  it("lets a registration on its way land before it deregisters, so the runtime does not outlive stop", async () => {
    const registry = fakeRegistry({ key, heartbeatIntervalMs: 60_000 });
    const announcement = announceRuntime({
      transport: registry.transport,
      runtimeKey: key,
      runtime: () => ({ id: "rt-quick", url: "http://127.0.0.1:1", tools: [] }),
    });
    // Stop at once, while the first registration is still in flight.
    await announcement.stop();
    expect(registry.runtimes.size).toBe(0);
    expect(registry.calls).toEqual(["register", "deregister"]);
  });
});
