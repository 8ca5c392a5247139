// The gateway running in workerd, as deployed: its Workers fetch handler with infra/wrangler.toml's
// settings, the Upstash store against the local REST front and redis-server, and a real runtime
// with a Python worker, registered through RegistryService.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { WatchVariablesResponse_Kind as Kind } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Announcement } from "../../runtime-node/src/registry/runtime-announcer.js";
import { valueOf, write } from "../test/support/values.js";
import { clientsFor, registerRuntime, registryClient, rejection } from "./support.js";

let announcement: Announcement;

beforeAll(async () => {
  announcement = await registerRuntime();
});

afterAll(async () => {
  await announcement?.stop();
});

const acme = () => clientsFor(inject("apiKey"));

describe("SessionService in workerd", () => {
  it("initializes a session with its org, TTL and variables, and gets it", async () => {
    const { session, variables } = await acme().sessions.initializeSession({
      sessionId: "w-init",
      metadata: { purpose: "workers" },
      ttlSeconds: 120,
      variables: [write("greeting", "string", "hi")],
    });
    expect(session).toMatchObject({ id: "w-init", orgId: "acme", ttlSeconds: 120, metadata: { purpose: "workers" } });
    expect(timestampMs(session!.expiresAt!) - timestampMs(session!.createdAt!)).toBe(120_000);
    expect(variables.map((v) => [v.name, valueOf(v), v.version])).toEqual([["greeting", "hi", 1]]);
    const got = await acme().sessions.getSession({ sessionId: "w-init" });
    expect(got.session).toMatchObject({ id: "w-init", orgId: "acme", metadata: { purpose: "workers" } });
    expect((await rejection(acme().sessions.initializeSession({ sessionId: "w-init" }))).code).toBe(Code.AlreadyExists);
  });

  it("cleans up a session: its variables go and it is NOT_FOUND after", async () => {
    await acme().sessions.initializeSession({ sessionId: "w-cleanup", variables: [write("x", "integer", 1)] });
    await acme().sessions.cleanupSession({ sessionId: "w-cleanup" });
    const gone = await rejection(acme().sessions.getSession({ sessionId: "w-cleanup" }));
    expect(gone.code).toBe(Code.NotFound);
    expect(gone.rawMessage).toBe("session 'w-cleanup' was cleaned up; initialize a new session");
    expect((await rejection(acme().variables.getVariable({ sessionId: "w-cleanup", name: "x" }))).code).toBe(Code.NotFound);
  });
});

describe("VariableService in workerd", () => {
  beforeAll(async () => {
    await acme().sessions.initializeSession({ sessionId: "w-vars" });
  });

  it.each(["connect", "connect-json", "grpc-web"] as const)("sets and gets typed values over %s", async (protocol) => {
    const variables = clientsFor(inject("apiKey"), protocol).variables;
    const name = `config-${protocol}`;
    const set = await variables.setVariable({ sessionId: "w-vars", write: write(name, "object", { depth: 2, tags: ["a"] }) });
    expect(set.variable).toMatchObject({ name, version: 1 });
    const got = await variables.getVariable({ sessionId: "w-vars", name });
    expect(valueOf(got.variable)).toEqual({ depth: 2, tags: ["a"] });
    const bytes = new Uint8Array([0, 1, 254, 255]);
    await variables.setVariable({ sessionId: "w-vars", write: write(`blob-${protocol}`, "bytes", bytes) });
    expect(valueOf((await variables.getVariable({ sessionId: "w-vars", name: `blob-${protocol}` })).variable)).toEqual(bytes);
  });

  it("refuses a stale expected_version with ABORTED and changes nothing", async () => {
    const variables = acme().variables;
    await variables.setVariable({ sessionId: "w-vars", write: write("n", "integer", 1) });
    const second = await variables.setVariable({ sessionId: "w-vars", write: write("n", "integer", 2, 1) });
    expect(second.variable?.version).toBe(2);
    const stale = await rejection(variables.setVariable({ sessionId: "w-vars", write: write("n", "integer", 3, 1) }));
    expect(stale.code).toBe(Code.Aborted);
    const after = await variables.getVariable({ sessionId: "w-vars", name: "n" });
    expect([valueOf(after.variable), after.variable?.version]).toEqual([2, 2]);
  });

  it("enforces the declared type with INVALID_ARGUMENT", async () => {
    await acme().variables.setVariable({ sessionId: "w-vars", write: write("count", "integer", 1) });
    const error = await rejection(acme().variables.setVariable({ sessionId: "w-vars", write: write("count", "integer", "two") }));
    expect(error.code).toBe(Code.InvalidArgument);
  });

  it("lists a session's variables in name order", async () => {
    await acme().sessions.initializeSession({
      sessionId: "w-list",
      variables: [write("b", "string", "two"), write("a", "integer", 1), write("c", "boolean", true)],
    });
    const { variables } = await acme().variables.listVariables({ sessionId: "w-list" });
    expect(variables.map((v) => [v.name, valueOf(v)])).toEqual([
      ["a", 1],
      ["b", "two"],
      ["c", true],
    ]);
  });
});

describe("WatchVariables in workerd", () => {
  it("streams the snapshot and every change in order, and ends when another request cleans the session up", async () => {
    const variables = acme().variables;
    await acme().sessions.initializeSession({ sessionId: "w-watch", variables: [write("v", "integer", 1)] });
    const watch = variables.watchVariables({ sessionId: "w-watch", includeInitial: true })[Symbol.asyncIterator]();
    const seen = async () => {
      const next = await watch.next();
      return next.done ? "done" : [next.value.kind, valueOf(next.value.variable)];
    };
    // The snapshot comes first, so the watch has begun before the writes.
    expect(await seen()).toEqual([Kind.INITIAL, 1]);
    await variables.setVariable({ sessionId: "w-watch", write: write("v", "integer", 2) });
    await variables.setVariable({ sessionId: "w-watch", write: write("w", "string", "x") });
    expect([await seen(), await seen()]).toEqual([
      [Kind.SET, 2],
      [Kind.SET, "x"],
    ]);
    await acme().sessions.cleanupSession({ sessionId: "w-watch" });
    const end = await watch.next().catch((err: unknown) => ConnectError.from(err));
    if (end instanceof ConnectError) expect(end.code).toBe(Code.NotFound);
    else expect(end.done).toBe(true);
  });
});

describe("ToolService in workerd", () => {
  it("lists the registered runtime's tools", async () => {
    const { tools } = await acme().tools.listTools({});
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "reverse_text", "count"]));
    const { runtimes } = await registryClient().listRuntimes({});
    expect(runtimes.map((r) => [r.id, r.url])).toEqual([[inject("runtimeId"), inject("runtimeUrl")]]);
  });

  it.each(["connect", "connect-json", "grpc-web"] as const)("routes ExecuteTool to the runtime's Python worker over %s", async (protocol) => {
    const response = await clientsFor(inject("apiKey"), protocol).tools.executeTool({ tool: "reverse_text", args: { text: "workerd" } });
    expect(fromValue(response.result)).toEqual({ result: "drekrow" });
    expect(response.runtimeId).toBe(inject("runtimeId"));
  });

  it("routes a call in a session, which keeps its affinity and variables", async () => {
    await acme().sessions.initializeSession({ sessionId: "w-tool" });
    const response = await acme().tools.executeTool({ tool: "echo", args: { said: "hi" }, sessionId: "w-tool" });
    expect(response.runtimeId).toBe(inject("runtimeId"));
    expect(fromValue(response.result)).toMatchObject({ said: "hi" });
  });

  it("streams StreamTool chunks and progress from the runtime", async () => {
    const kinds: string[] = [];
    const chunks: unknown[] = [];
    for await (const message of acme().tools.streamTool({ tool: "count", args: { n: 3 } })) {
      kinds.push(message.event.case ?? "");
      if (message.event.case === "chunk") chunks.push(fromValue(message.event.value.data));
    }
    expect(chunks).toEqual([1, 2, 3]);
    expect(kinds.at(-1)).toBe("result");
  });

  it("serves the gateway's standard tools in process", async () => {
    const { tools } = await acme().tools.listTools({});
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["validate_json", "format_datetime", "validate_regex", "http_get"]));
    const response = await acme().tools.executeTool({ tool: "validate_regex", args: { pattern: "(\\d{4})", text: "in 2026" } });
    expect(fromValue(response.result)).toMatchObject({ valid: true, matched: true, matches: [{ match: "2026", groups: ["2026"] }] });
  });

  it("reports a Python exception as INTERNAL with its type", async () => {
    const error = await rejection(acme().tools.executeTool({ tool: "fail", args: { message: "from workerd" } }));
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/from workerd/);
  });
});

describe("a runtime that is gone, in workerd", () => {
  // workerd's fetch says "Network connection lost." both for a refused connection and for one
  // dropped mid-call, so the gateway cannot know the call never ran and does not retry it; it
  // skips the runtime afterwards, so only that one call fails.
  it("fails one call UNAVAILABLE, then skips the runtime so the next calls go to the live one", async () => {
    const gone = await registerRuntime({ id: "rt-gone", url: inject("goneUrl") });
    try {
      let lost: ConnectError | undefined;
      for (let i = 0; i < 20 && lost === undefined; i++) {
        try {
          await acme().tools.executeTool({ tool: "echo", args: { i } });
        } catch (err) {
          lost = ConnectError.from(err);
        }
      }
      expect(lost?.code).toBe(Code.Unavailable);
      expect(lost?.rawMessage).toMatch(/lost the connection to runtime 'rt-gone' during the call of tool 'echo'; it may or may not have run/);
      for (let i = 0; i < 6; i++) {
        const response = await acme().tools.executeTool({ tool: "echo", args: { i } });
        expect(response.runtimeId).toBe(inject("runtimeId"));
      }
    } finally {
      await gone.stop();
    }
  });
});

describe("auth in workerd", () => {
  it("refuses a call without a key as UNAUTHENTICATED", async () => {
    expect((await rejection(clientsFor(null).tools.executeTool({ tool: "echo" }))).code).toBe(Code.Unauthenticated);
  });

  it("refuses an unknown key as UNAUTHENTICATED", async () => {
    expect((await rejection(clientsFor("not-a-key-0123456789abcdef").sessions.initializeSession({}))).code).toBe(Code.Unauthenticated);
  });

  it("refuses a tool outside the key's allowlist as PERMISSION_DENIED", async () => {
    const limited = clientsFor(inject("limitedKey"));
    const allowed = await limited.tools.executeTool({ tool: "echo", args: { ok: true } });
    expect(fromValue(allowed.result)).toMatchObject({ ok: true });
    expect((await rejection(limited.tools.executeTool({ tool: "reverse_text", args: { text: "no" } }))).code).toBe(Code.PermissionDenied);
  });

  it("refuses RegistryService to an API key", async () => {
    const error = await rejection(registryClient(inject("apiKey")).listRuntimes({}));
    expect([Code.Unauthenticated, Code.PermissionDenied]).toContain(error.code);
  });
});
