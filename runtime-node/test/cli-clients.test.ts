// buf curl and curl against a running runtime: the clients people reach for first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buf, documents, type Run, run } from "../../test/support/cli.js";
import { type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";

let runtime: RuntimeProcess;

beforeAll(async () => {
  runtime = await startRuntime({ args: ["--workers", "1"] });
});

afterAll(async () => {
  await runtime?.stop();
});

describe.each([
  { protocol: "connect", flags: [] },
  { protocol: "connect", flags: ["--http2-prior-knowledge"] },
  { protocol: "grpc", flags: ["--http2-prior-knowledge"] },
  { protocol: "grpcweb", flags: [] },
  { protocol: "grpcweb", flags: ["--http2-prior-knowledge"] },
])("buf curl --protocol $protocol $flags", ({ protocol, flags }) => {
  const curl = (method: string, body: object, extra: string[] = []) =>
    run(buf, [
      "curl",
      "--protocol",
      protocol,
      ...flags,
      "--schema",
      "proto",
      "-H",
      `Authorization: Bearer ${runtime.key}`,
      ...extra,
      "-d",
      JSON.stringify(body),
      `${runtime.url}/toolbridge.v1.ToolService/${method}`,
    ]);

  it("calls ExecuteTool", async () => {
    const result = await curl("ExecuteTool", { tool: "reverse_text", args: { text: "abc" }, requestId: "bc-1" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(documents(result.stdout)).toEqual([
      expect.objectContaining({ result: { result: "cba" }, requestId: "bc-1", runtimeId: expect.any(String) }),
    ]);
  });

  it("streams StreamTool", async () => {
    const result = await curl("StreamTool", { tool: "count", args: { n: 2 } });
    expect(result.code).toBe(0);
    const messages = documents(result.stdout) as Record<string, unknown>[];
    expect(messages.filter((m) => "chunk" in m)).toEqual([{ chunk: { data: 1 } }, { chunk: { index: 1, data: 2 } }]);
    expect(Object.keys(messages.at(-1) ?? {})).toEqual(["result"]);
  });

  it("shows a Python exception with its ErrorInfo", async () => {
    const result = await curl("ExecuteTool", { tool: "fail", args: { message: "boom" } });
    expect(result.code).not.toBe(0);
    const error = JSON.parse(result.stderr);
    expect(error).toMatchObject({ code: "internal", message: "boom", details: [{ type: "toolbridge.v1.ErrorInfo" }] });
  });

  it("is refused without the key", async () => {
    const result = await run(buf, [
      "curl",
      "--protocol",
      protocol,
      ...flags,
      "--schema",
      "proto",
      "-d",
      "{}",
      `${runtime.url}/toolbridge.v1.ToolService/ListTools`,
    ]);
    expect(result.code).not.toBe(0);
    expect(JSON.parse(result.stderr)).toMatchObject({ code: "unauthenticated" });
  });

  it("checks health without a key", async () => {
    const result = await run(buf, [
      "curl",
      "--protocol",
      protocol,
      ...flags,
      "--schema",
      "proto",
      "-d",
      "{}",
      `${runtime.url}/grpc.health.v1.Health/Check`,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ status: "SERVING" });
  });
});

describe("curl", () => {
  const post = (body: string, headers: string[] = [], extra: string[] = []) =>
    run("curl", [
      "-sS",
      "-X",
      "POST",
      "-H",
      "Content-Type: application/json",
      ...headers.flatMap((h) => ["-H", h]),
      ...extra,
      "-w",
      "\n%{http_code}",
      "-d",
      body,
      `${runtime.url}/toolbridge.v1.ToolService/ExecuteTool`,
    ]);
  const split = (r: Run) => {
    const at = r.stdout.lastIndexOf("\n");
    return { status: Number(r.stdout.slice(at + 1)), json: JSON.parse(r.stdout.slice(0, at)) };
  };

  it.each([[[]], [["--http2-prior-knowledge"]]])("POSTs JSON to ExecuteTool (%s)", async (extra) => {
    const result = split(
      await post('{"tool": "word_count", "args": {"text": "a b c"}}', [`Authorization: Bearer ${runtime.key}`], extra),
    );
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ result: { words: 3 }, timings: { totalMs: expect.any(Number) } });
  });

  it("gets a 404 and not_found for an unknown tool", async () => {
    const result = split(await post('{"tool": "nope"}', [`Authorization: Bearer ${runtime.key}`]));
    expect(result.status).toBe(404);
    expect(result.json).toMatchObject({ code: "not_found", message: expect.stringContaining('no tool named "nope"') });
  });

  it("gets a 400 for JSON that is not an ExecuteToolRequest", async () => {
    const result = split(await post('{"tool": 5', [`Authorization: Bearer ${runtime.key}`]));
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ code: "invalid_argument" });
  });

  it("gets a 401 without the key", async () => {
    const result = split(await post('{"tool": "echo"}'));
    expect(result.status).toBe(401);
    expect(result.json).toMatchObject({ code: "unauthenticated" });
  });
});
