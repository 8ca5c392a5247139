// The gateway through the clients people reach for first: curl (REST, and SSE with -N) and buf curl
// (Connect and gRPC-Web), against the real gateway process and runtime; and its auth as they see it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterKeys, startCluster } from "../gateway/test/support/cluster.js";
import { runtimeIdOf } from "../gateway/test/support/registration.js";
import { buf, documents, run } from "./support/cli.js";

/** curl printing the body, then the status on a last line of its own. */
async function curl(path: string, body: unknown, key: string | null = clusterKeys.acme, extra: string[] = []) {
  const auth = key === null ? [] : ["-H", `Authorization: Bearer ${key}`];
  const result = await run("curl", [
    "-sS",
    "-X",
    "POST",
    "-H",
    "Content-Type: application/json",
    ...auth,
    ...extra,
    "-w",
    "\n%{http_code}",
    "-d",
    typeof body === "string" ? body : JSON.stringify(body),
    `${cluster.gateway.url}${path}`,
  ]);
  const at = result.stdout.lastIndexOf("\n");
  return { status: Number(result.stdout.slice(at + 1)), body: result.stdout.slice(0, at), code: result.code };
}

/** The events of a text/event-stream body. */
function sse(text: string): { event: string; data: any }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      return {
        event: lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "",
        data: JSON.parse(lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n")),
      };
    });
}

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

describe("curl and the REST routes", () => {
  it("executes a tool", async () => {
    const result = await curl("/cluster-tools/execute", { tool_name: "reverse_text", input: { text: "curl" } });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({
      success: true,
      output: { result: "lruc" },
      error: null,
      metadata: { runtime_id: runtimeIdOf(cluster.runtimes[0]), request_id: expect.any(String), timings: { run_ms: expect.any(Number) } },
    });
  });

  it("reports a Python exception with a status and the error's code, type and message", async () => {
    const result = await curl("/cluster-tools/execute", { tool_name: "fail", input: { message: "from curl" } });
    expect(result.status).toBe(500);
    expect(JSON.parse(result.body)).toMatchObject({
      success: false,
      output: null,
      error: { code: "internal", type: "RuntimeError", message: expect.stringContaining("from curl"), tool: "fail" },
    });
  });

  it("reports invalid arguments as 400 naming the field", async () => {
    const result = await curl("/cluster-tools/execute", { tool_name: "reverse_text", input: { text: 5 } });
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body).error).toMatchObject({ code: "invalid_argument", field: "/text" });
  });

  it("resolves a tool to its runtime, and an unknown tool to 404", async () => {
    const found = await curl("/cluster-tools/resolve", { tool_name: "echo" });
    expect(JSON.parse(found.body)).toEqual({ success: true, endpoint: cluster.runtimes[0].url, runtime_id: runtimeIdOf(cluster.runtimes[0]) });
    const missing = await curl("/cluster-tools/resolve", { tool_name: "nothing_here" });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ success: false, error: { code: "not_found" } });
  });

  it("follows a stream with curl -N as server-sent events", async () => {
    const result = await curl("/v1/tools/count:stream", { n: 3, delay_ms: 5 }, clusterKeys.acme, ["-N"]);
    expect(result.status).toBe(200);
    const events = sse(result.body);
    expect(events.map((e) => e.event)).toEqual(["chunk", "progress", "chunk", "progress", "chunk", "progress", "result"]);
    expect(events.filter((e) => e.event === "chunk").map((e) => e.data.data)).toEqual([1, 2, 3]);
    expect(events[1].data).toMatchObject({ fraction: expect.closeTo(1 / 3, 5), message: "1 of 3" });
  });

  it("answers /healthz without a key", async () => {
    const result = await run("curl", ["-sS", `${cluster.gateway.url}/healthz`]);
    expect(JSON.parse(result.stdout)).toEqual({ status: "serving" });
  });
});

describe("auth as curl users see it", () => {
  it.each([
    ["no key", "/cluster-tools/execute", { tool_name: "echo" }, null, 401, "unauthenticated"],
    ["a wrong key", "/cluster-tools/execute", { tool_name: "echo" }, "not-a-key-0123456789abcdef", 401, "unauthenticated"],
    ["a disallowed tool", "/cluster-tools/execute", { tool_name: "word_count", input: { text: "a" } }, clusterKeys.limited, 403, "permission_denied"],
    ["a disallowed stream", "/v1/tools/sleep:stream", { ms: 1 }, clusterKeys.limited, 403, "permission_denied"],
    ["no key on a stream", "/v1/tools/count:stream", { n: 1 }, null, 401, "unauthenticated"],
  ])("refuses %s", async (_, path, body, key, status, code) => {
    const result = await curl(path, body, key);
    expect(result.status).toBe(status);
    expect(JSON.parse(result.body)).toMatchObject({ success: false, error: { code } });
  });

  it("refuses a Connect call without a key, with the Connect error body", async () => {
    const result = await run("curl", [
      "-sS",
      "-w",
      "\n%{http_code}",
      "-H",
      "Content-Type: application/json",
      "-d",
      '{"tool":"echo"}',
      `${cluster.gateway.url}/toolbridge.v1.ToolService/ExecuteTool`,
    ]);
    const [body, status] = result.stdout.split("\n");
    expect(status).toBe("401");
    expect(JSON.parse(body)).toMatchObject({ code: "unauthenticated" });
  });

  it("hides another org's session", async () => {
    const acme = cluster.clients(clusterKeys.acme);
    await acme.sessions.initializeSession({ sessionId: "acme-private" });
    const result = await curl("/cluster-tools/execute", { tool_name: "echo", session_id: "acme-private" }, clusterKeys.beta);
    expect(result.status).toBe(404);
    expect(JSON.parse(result.body).error.message).toBe("session 'acme-private' does not exist; initialize a new session");
    acme.close();
  });
});

describe.each([
  { protocol: "connect", flags: [] },
  { protocol: "connect", flags: ["--http2-prior-knowledge"] },
  { protocol: "grpcweb", flags: [] },
  { protocol: "grpcweb", flags: ["--http2-prior-knowledge"] },
])("buf curl --protocol $protocol $flags", ({ protocol, flags }) => {
  const bufCurl = (method: string, body: object, key: string = clusterKeys.acme) =>
    run(buf, [
      "curl",
      "--protocol",
      protocol,
      ...flags,
      "--schema",
      "proto",
      "-H",
      `Authorization: Bearer ${key}`,
      "-d",
      JSON.stringify(body),
      `${cluster.gateway.url}/${method}`,
    ]);

  it("calls ExecuteTool", async () => {
    const result = await bufCurl("toolbridge.v1.ToolService/ExecuteTool", { tool: "reverse_text", args: { text: "buf" }, requestId: "b-1" });
    expect(result.stderr).toBe("");
    expect(documents(result.stdout)).toEqual([expect.objectContaining({ result: { result: "fub" }, requestId: "b-1" })]);
  });

  it("streams StreamTool", async () => {
    const result = await bufCurl("toolbridge.v1.ToolService/StreamTool", { tool: "count", args: { n: 2 } });
    expect(result.code).toBe(0);
    const messages = documents(result.stdout);
    expect(messages.filter((m) => "chunk" in m)).toEqual([{ chunk: { data: 1 } }, { chunk: { index: 1, data: 2 } }]);
    expect(Object.keys(messages.at(-1))).toEqual(["result"]);
  });

  it("initializes a session and sets a variable", async () => {
    const id = `buf-${protocol}-${flags.length}`;
    expect((await bufCurl("toolbridge.v1.SessionService/InitializeSession", { sessionId: id })).code).toBe(0);
    const set = await bufCurl("toolbridge.v1.VariableService/SetVariable", {
      sessionId: id,
      write: { name: "n", type: "VARIABLE_TYPE_INTEGER", value: 42 },
    });
    expect(documents(set.stdout)[0]).toMatchObject({ variable: { name: "n", value: 42, version: 1 } });
  });

  it("shows a refused key", async () => {
    const result = await bufCurl("toolbridge.v1.ToolService/ExecuteTool", { tool: "echo" }, "wrong-key-0123456789abcdef");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unauthenticated/);
  });
});
