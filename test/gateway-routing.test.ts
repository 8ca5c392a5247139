// Routing through the real gateway process across two real runtimes: balancing, session affinity,
// and a runtime killed in the middle of a run while calls keep succeeding on the other.
import { Code, ConnectError } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { afterEach, describe, expect, it } from "vitest";
import { type Cluster, clusterKeys, startCluster } from "../gateway/test/support/cluster.js";
import { runtimeIdOf } from "../gateway/test/support/registration.js";

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected a rejection");
}

const twoRuntimes = { runtimes: [["--workers", "1"], ["--workers", "1"]], store: "memory" as const };

describe("routing across two runtimes", () => {
  it("spreads calls over both runtimes", async () => {
    cluster = await startCluster(twoRuntimes);
    const c = cluster.clients(clusterKeys.acme);
    const served = new Set<string>();
    for (let i = 0; i < 10; i++) served.add((await c.tools.executeTool({ tool: "echo", args: { i } })).runtimeId);
    expect([...served].sort()).toEqual(cluster.runtimes.map(runtimeIdOf).sort());
    c.close();
  });

  it("keeps calls succeeding when a runtime is killed mid-run", async () => {
    cluster = await startCluster(twoRuntimes);
    const [victim, survivor] = cluster.runtimes;
    const c = cluster.clients(clusterKeys.acme, { name: "h2", protocol: "connect", binary: true, httpVersion: "2" });
    let killedAt = Number.POSITIVE_INFINITY;
    const failuresAfterKill: string[] = [];
    const servedAfterKill = new Set<string>();
    let inFlightFailures = 0;
    let callsAfterKill = 0;

    // Four callers in a loop; the victim is SIGKILLed once 40 calls have succeeded.
    let succeeded = 0;
    let stop = false;
    const caller = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const started = performance.now();
        try {
          const response = await c.tools.executeTool({ tool: "reverse_text", args: { text: `${n}-${i}` } });
          expect(fromValue(response.result)).toEqual({ result: `${n}-${i}`.split("").reverse().join("") });
          succeeded++;
          if (started > killedAt) {
            callsAfterKill++;
            servedAfterKill.add(response.runtimeId);
          }
        } catch (err) {
          if (started > killedAt) failuresAfterKill.push(String(err));
          else {
            // Only a call in flight on the victim when it died may fail, and then as UNAVAILABLE.
            expect(ConnectError.from(err).code).toBe(Code.Unavailable);
            inFlightFailures++;
          }
        }
        if (callsAfterKill >= 60) stop = true;
      }
    };
    const callers = [0, 1, 2, 3].map(caller);
    const deadline = Date.now() + 20_000;
    while (succeeded < 40 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(succeeded).toBeGreaterThanOrEqual(40);
    await victim.stop("SIGKILL");
    killedAt = performance.now();
    await Promise.race([Promise.all(callers), new Promise((_, reject) => setTimeout(() => reject(new Error("callers did not finish")), 20_000))]);
    expect(failuresAfterKill).toEqual([]);
    expect(callsAfterKill).toBeGreaterThanOrEqual(60);
    expect([...servedAfterKill]).toEqual([runtimeIdOf(survivor)]);
    expect(inFlightFailures).toBeLessThanOrEqual(4);
    c.close();
  });

  it("keeps a session on its runtime, and moves it when that runtime dies", async () => {
    cluster = await startCluster(twoRuntimes);
    const c = cluster.clients(clusterKeys.acme);
    await c.sessions.initializeSession({ sessionId: "sticky" });
    const first = (await c.tools.executeTool({ tool: "echo", sessionId: "sticky" })).runtimeId;
    for (let i = 0; i < 8; i++) expect((await c.tools.executeTool({ tool: "echo", args: { i }, sessionId: "sticky" })).runtimeId).toBe(first);
    const pinned = cluster.runtimes.find((r) => runtimeIdOf(r) === first);
    const other = cluster.runtimes.find((r) => runtimeIdOf(r) !== first);
    await pinned?.stop("SIGKILL");
    const moved = (await c.tools.executeTool({ tool: "echo", sessionId: "sticky" })).runtimeId;
    expect(moved).toBe(runtimeIdOf(other!));
    for (let i = 0; i < 3; i++) expect((await c.tools.executeTool({ tool: "echo", sessionId: "sticky" })).runtimeId).toBe(moved);
    c.close();
  });

  it("answers UNAVAILABLE when every runtime serving a tool is down, NOT_FOUND for a tool none serves", async () => {
    cluster = await startCluster(twoRuntimes);
    const c = cluster.clients(clusterKeys.acme);
    const unknown = await rejection(c.tools.executeTool({ tool: "no_such_tool" }));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).toMatch(/no runtime serves tool 'no_such_tool'/);
    await Promise.all(cluster.runtimes.map((r) => r.stop("SIGKILL")));
    const down = await rejection(c.tools.executeTool({ tool: "echo" }));
    expect(down.code).toBe(Code.Unavailable);
    expect(down.rawMessage).toMatch(/runtimes that serve tool 'echo' cannot be reached/);
    c.close();
  });
});
