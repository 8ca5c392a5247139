// BatchExecuteTools through the real gateway process (redis store) fanning out to Python tools on a real
// runtime and to the gateway's own TypeScript tools. max_parallel is measured where the calls land: each
// http_get item hits a local server that counts the requests in flight and holds each until as many as
// max_parallel are there, so a batch that runs that many at once does, and one that ran more is seen.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "@bufbuild/protobuf";
import { fromValue } from "@toolbridge/proto";
import type { BatchCall, BatchOutcome } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { type Cluster, clusterKeys, type GatewayClients, startCluster } from "../gateway/test/support/cluster.js";
import { type HttpFixture, startHttpFixture } from "../gateway/test/support/http-fixture.js";
import { runtimeIdOf } from "../gateway/test/support/registration.js";

let cluster: Cluster;
let server: HttpFixture;
let c: GatewayClients;

beforeAll(async () => {
  server = await startHttpFixture();
  cluster = await startCluster({ gatewayEnv: { TOOLBRIDGE_HTTP_GET_ALLOW: `127.0.0.1:${server.port}` } });
  c = cluster.clients(clusterKeys.acme, { name: "h2", protocol: "connect", binary: true, httpVersion: "2" });
});

afterAll(async () => {
  c?.close();
  await cluster?.stop();
  await server?.close();
});

const summary = (o: BatchOutcome) =>
  o.outcome.case === "response"
    ? { runtime: o.outcome.value.runtimeId, result: fromValue(o.outcome.value.result) }
    : { code: o.outcome.value?.code, type: o.outcome.value?.type, tool: o.outcome.value?.tool };

const call = (tool: string, args: JsonObject = {}) => ({ tool, args }) as unknown as BatchCall;

describe("BatchExecuteTools through the gateway", () => {
  it("mixes Python and gateway tools, keeps the input order, and fails only the failing item", async () => {
    const { outcomes } = await c.tools.batchExecuteTools({
      calls: [
        call("reverse_text", { text: "abc" }),
        call("validate_json", { json_string: "[1, 2]" }),
        call("fail", { message: "on purpose" }),
        call("format_datetime", { datetime: 0, format: "%Y" }),
        call("word_count", { text: "one two three" }),
        call("http_get", { url: `${server.url}/json` }),
      ],
      maxParallel: 3,
    });
    const python = runtimeIdOf(cluster.runtimes[0]);
    expect(outcomes.map(summary)).toEqual([
      { runtime: python, result: { result: "cba" } },
      { runtime: "gateway", result: { valid: true, errors: [] } },
      { code: "internal", type: "RuntimeError", tool: "fail" },
      { runtime: "gateway", result: expect.objectContaining({ formatted: "1970" }) },
      { runtime: python, result: { words: 3 } },
      { runtime: "gateway", result: expect.objectContaining({ status: 200, body: '{"ok":true}' }) },
    ]);
    const failed = outcomes[2].outcome;
    expect(failed.case === "error" && failed.value.message).toMatch(/on purpose/);
    expect(failed.case === "error" && failed.value.traceback).toMatch(/Traceback/);
  });

  it.each([2, 3])("runs at most max_parallel (%i) calls at once, and that many", async (parallel) => {
    server.gauge.peak = 0;
    const calls: BatchCall[] = [];
    for (let i = 0; i < 8; i++) {
      calls.push(call("http_get", { url: `${server.url}/gauge?wait=${parallel}${i === 7 ? "&last=1" : ""}` }));
      if (i % 3 === 0) calls.push(call("reverse_text", { text: `t${i}` }));
    }
    const { outcomes } = await c.tools.batchExecuteTools({ calls, maxParallel: parallel });
    expect(outcomes.map((o) => o.outcome.case)).toEqual(calls.map(() => "response"));
    expect(server.gauge.peak).toBe(parallel);
    const texts = outcomes.filter((o) => o.outcome.case === "response" && o.outcome.value.runtimeId !== "gateway");
    expect(texts.map((o) => o.outcome.case === "response" && fromValue(o.outcome.value.result))).toEqual(
      ["t0", "t3", "t6"].map((t) => ({ result: t.split("").reverse().join("") })),
    );
  });

  it("stops starting calls after the first failure with stop_on_error", async () => {
    const { outcomes } = await c.tools.batchExecuteTools({
      calls: [call("validate_json", { json_string: "1" }), call("fail", { message: "stop here" }), call("reverse_text", { text: "x" }), call("http_get", { url: `${server.url}/text` })],
      maxParallel: 1,
      stopOnError: true,
    });
    expect(outcomes.map(summary)).toEqual([
      { runtime: "gateway", result: { valid: true, errors: [] } },
      { code: "internal", type: "RuntimeError", tool: "fail" },
      { code: "aborted", type: "", tool: "reverse_text" },
      { code: "aborted", type: "", tool: "http_get" },
    ]);
  });
});
