// BatchExecuteTools across stub runtimes and gateway tools: order, per-item errors, max_parallel, stop_on_error.
import type { JsonObject } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { codeToName, defineTool, fromValue } from "@toolbridge/proto";
import type { BatchOutcome } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, keys, startHarness } from "./support/harness.js";
import { createStubRuntime, type StubRuntime } from "./support/stub-runtime.js";

/** Calls of "gauge" in flight now and at most, and those waiting for company. */
const gauge = { active: 0, peak: 0, waiting: [] as (() => void)[] };
let shouts = 0;

const tools = [
  defineTool({
    name: "shout",
    description: "upper-cases text",
    parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    run: ({ args }) => {
      shouts++;
      return String(args.text).toUpperCase();
    },
  }),
  defineTool({ name: "throws", description: "fails", parameters: {}, run: () => { throw new RangeError("out of range on purpose"); } }),
  // Waits until `wait` gauge calls are in flight at once (or it is the last), so that a batch that
  // may run that many at once does, and one that ran more would be seen doing it.
  defineTool({
    name: "gauge",
    description: "records how many of its calls run at once",
    parameters: { type: "object", properties: { wait: { type: "integer" }, last: { type: "boolean" } } },
    run: async ({ args }) => {
      gauge.active++;
      gauge.peak = Math.max(gauge.peak, gauge.active);
      if (gauge.active >= (args.wait as number) || args.last === true) {
        for (const go of gauge.waiting.splice(0)) go();
      } else {
        await new Promise<void>((resolve) => gauge.waiting.push(resolve));
      }
      gauge.active--;
      return gauge.peak;
    },
  }),
];

const outcome = (o: BatchOutcome) =>
  o.outcome.case === "response"
    ? { ok: fromValue(o.outcome.value.result), runtime: o.outcome.value.runtimeId }
    : { error: o.outcome.value?.code, type: o.outcome.value?.type, tool: o.outcome.value?.tool };

describe("BatchExecuteTools with gateway tools", () => {
  let harness: Harness;
  let stub: StubRuntime;

  const start = async () => {
    gauge.active = 0;
    gauge.peak = 0;
    gauge.waiting = [];
    shouts = 0;
    stub = createStubRuntime("rt-a", ["echo", "fail"]);
    harness = await startHarness({ stubs: [stub], gateway: { tools } });
    await harness.register(stub);
    return harness.clients(keys.acme);
  };

  afterEach(async () => {
    await harness?.close();
  });

  it("mixes runtime and gateway tools in input order, each failure its own ErrorInfo", async () => {
    const client = await start();
    const { outcomes } = await client.tools.batchExecuteTools({
      calls: [
        { tool: "shout", args: { text: "a" } },
        { tool: "echo", args: { n: 1 } },
        { tool: "throws" },
        { tool: "fail" },
        { tool: "shout", args: {} },
        { tool: "no_such_tool" },
        { tool: "shout", args: { text: "z" } },
      ],
      maxParallel: 3,
    });
    expect(outcomes.map(outcome)).toEqual([
      { ok: "A", runtime: "gateway" },
      { ok: { runtime: "rt-a", tool: "echo", args: { n: 1 } }, runtime: "rt-a" },
      { error: "internal", type: "RangeError", tool: "throws" },
      { error: "invalid_argument", type: "ValueError", tool: "fail" },
      { error: "invalid_argument", type: "InvalidArguments", tool: "shout" },
      { error: "not_found", type: "", tool: "no_such_tool" },
      { ok: "Z", runtime: "gateway" },
    ]);
    const thrown = outcomes[2].outcome;
    expect(thrown.case === "error" && thrown.value.message).toBe("tool 'throws' failed: out of range on purpose");
    const invalid = outcomes[4].outcome;
    expect(invalid.case === "error" && invalid.value.field).toBe("/text");
  });

  it.each([1, 2, 3])("runs at most max_parallel %i calls at once, and that many", async (parallel) => {
    const client = await start();
    const calls = Array.from({ length: 7 }, (_, i) => ({ tool: "gauge", args: { wait: parallel, last: i === 6 } as JsonObject }));
    const { outcomes } = await client.tools.batchExecuteTools({ calls, maxParallel: parallel });
    expect(outcomes.every((o) => o.outcome.case === "response")).toBe(true);
    expect(gauge.peak).toBe(parallel);
  });

  it("stops starting calls after a failure with stop_on_error; those are ABORTED", async () => {
    const client = await start();
    const { outcomes } = await client.tools.batchExecuteTools({
      calls: [{ tool: "shout", args: { text: "a" } }, { tool: "throws" }, { tool: "shout", args: { text: "b" } }, { tool: "echo" }],
      maxParallel: 1,
      stopOnError: true,
    });
    expect(outcomes.map((o) => (o.outcome.case === "error" ? o.outcome.value.code : "ok"))).toEqual([
      "ok",
      "internal",
      codeToName(Code.Aborted),
      codeToName(Code.Aborted),
    ]);
    expect(shouts).toBe(1);
    expect(stub.calls).toHaveLength(0);
    const aborted = outcomes[3].outcome;
    expect(aborted.case === "error" && aborted.value.tool).toBe("echo");
  });
});
