import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childPids, pythonDir, type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, type RuntimeClients, transportKinds } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

const testTools = join(pythonDir, "tests/fixtures/test_tools.py");
const h2 = transportKinds.find((k) => k.protocol === "connect" && k.httpVersion === "2" && k.binary);

async function workerPid(clients: RuntimeClients): Promise<number> {
  const response = await clients.tools.executeTool({ tool: "worker_pid" }, { timeoutMs: 20_000 });
  return fromValue(response.result) as number;
}

describe("a worker that dies", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    runtime = await startRuntime({ args: ["--module", "examples", "--module", testTools, "--workers", "1"] });
    clients = connectTo(runtime, h2);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  it("fails its call UNAVAILABLE when killed with SIGKILL, and a new worker serves the next calls", async () => {
    const before = await workerPid(clients);
    const running = clients.tools.executeTool({ tool: "sleep", args: { ms: 20_000 } });
    // Calls on one worker start in order: once this answered, sleep is running.
    expect(await workerPid(clients)).toBe(before);
    process.kill(before, "SIGKILL");
    const error = await rejection(running);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toBe(
      `Python worker 0 (pid ${before}) was killed by SIGKILL while running the call; ` +
        "the worker is being restarted, retry the call",
    );
    const after = await workerPid(clients);
    expect(after).not.toBe(before);
    expect(childPids(runtime)).toEqual([after]);
    const echoed = await clients.tools.executeTool({ tool: "echo", args: { back: true } });
    expect(fromValue(echoed.result)).toEqual({ back: true });
  });

  it("fails its call UNAVAILABLE when the tool exits the process, with the exit status", async () => {
    const before = await workerPid(clients);
    const error = await rejection(clients.tools.executeTool({ tool: "exit_now", args: { status: 3 } }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(new RegExp(`pid ${before}\\) exited with status 3 while running the call`));
    expect(await workerPid(clients)).not.toBe(before);
  });

  it("ends a stream that was under way with UNAVAILABLE after the chunks already sent", async () => {
    const pid = await workerPid(clients);
    const chunks: number[] = [];
    const error = await rejection(
      (async () => {
        for await (const response of clients.tools.streamTool({ tool: "stream_until_cancelled", args: {} })) {
          if (response.event.case !== "chunk") continue;
          chunks.push(fromValue(response.event.value.data) as number);
          if (chunks.length === 3) process.kill(pid, "SIGKILL");
        }
      })(),
    );
    expect(error.code).toBe(Code.Unavailable);
    expect(chunks.slice(0, 3)).toEqual([0, 1, 2]);
    expect(await workerPid(clients)).not.toBe(pid);
  });
});

describe("a worker that dies beside others", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    runtime = await startRuntime({ args: ["--module", "examples", "--module", testTools, "--workers", "2"] });
    clients = connectTo(runtime, h2);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  it("leaves the calls on the other workers untouched", async () => {
    const workers = childPids(runtime);
    expect(workers).toHaveLength(2);
    // Least-loaded dispatch puts one call on each worker.
    const calls = [0, 1].map((i) =>
      clients.tools.executeTool({ tool: "sleep", args: { ms: 1500 }, requestId: `r${i}` }).then(
        (response) => ({ ok: fromValue(response.result) }),
        (e: unknown) => ({ error: ConnectError.from(e) }),
      ),
    );
    // Both calls reach the workers before the kill: the runtime answers this one only after taking them.
    await clients.tools.listTools({});
    await clients.tools.executeTool({ tool: "echo", args: {} });
    process.kill(workers[0], "SIGKILL");
    const outcomes = await Promise.all(calls);
    const failed = outcomes.filter((o) => "error" in o);
    const succeeded = outcomes.filter((o) => "ok" in o);
    expect(failed).toHaveLength(1);
    expect("error" in failed[0] && failed[0].error.code).toBe(Code.Unavailable);
    expect("error" in failed[0] && failed[0].error.rawMessage).toMatch(new RegExp(`pid ${workers[0]}\\)`));
    expect(succeeded).toEqual([{ ok: { slept_ms: 1500 } }]);
    await runtime.waitForStderr(/Python worker \d \(pid \d+\) is ready/);
    expect(childPids(runtime)).toHaveLength(2);
  });
});
