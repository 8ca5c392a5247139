// Routing through the real gateway process across two real runtimes: balancing, session affinity,
// and a runtime killed in the middle of a run while calls keep succeeding on the other.
import { Code, ConnectError } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { afterEach, describe, expect, it } from "vitest";
import { type Cluster, clusterKeys, startCluster } from "../gateway/test/support/cluster.js";
import { runtimeIdOf } from "../gateway/test/support/registration.js";
import { rejection } from "./support/rejection.js";

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

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
    let killed = false;
    const failures: ConnectError[] = [];
    const servedAfterKill = new Set<string>();
    let successesAfterLastFailure = 0;

    // Four callers in a loop; the victim is SIGKILLed once 40 calls have succeeded. Calls on their
    // way to the victim as it dies may fail (UNAVAILABLE: they may or may not have run, so they are
    // not retried), at most one per caller; from then on every call succeeds on the survivor.
    let succeeded = 0;
    let stop = false;
    const caller = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const text = `${n}-${i}`;
        try {
          const response = await c.tools.executeTool({ tool: "reverse_text", args: { text } });
          expect(fromValue(response.result)).toEqual({ result: text.split("").reverse().join("") });
          succeeded++;
          if (killed) {
            successesAfterLastFailure++;
            servedAfterKill.add(response.runtimeId);
          }
        } catch (err) {
          failures.push(ConnectError.from(err));
          successesAfterLastFailure = 0;
          servedAfterKill.clear();
        }
        if (successesAfterLastFailure >= 60) stop = true;
      }
    };
    const callers = [0, 1, 2, 3].map(caller);
    const deadline = Date.now() + 20_000;
    while (succeeded < 40 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(succeeded).toBeGreaterThanOrEqual(40);
    await victim.stop("SIGKILL");
    killed = true;
    await Promise.race([Promise.all(callers), new Promise((_, reject) => setTimeout(() => reject(new Error("callers did not finish")), 20_000))]);
    expect(failures.length).toBeLessThanOrEqual(4);
    for (const failure of failures) expect({ code: failure.code, message: failure.rawMessage }).toMatchObject({ code: Code.Unavailable });
    expect(successesAfterLastFailure).toBeGreaterThanOrEqual(60);
    expect([...servedAfterKill]).toEqual([runtimeIdOf(survivor)]);
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
    // The first call may still be on its way to the dying runtime (UNAVAILABLE, not retried).
    const moved = await c.tools.executeTool({ tool: "echo", sessionId: "sticky" }).then(
      (r) => r.runtimeId,
      async (err) => {
        expect(ConnectError.from(err).code).toBe(Code.Unavailable);
        return (await c.tools.executeTool({ tool: "echo", sessionId: "sticky" })).runtimeId;
      },
    );
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
