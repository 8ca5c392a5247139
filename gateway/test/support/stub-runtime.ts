// In-process runtimes for unit tests of the gateway's routing logic (createRouterTransport, no
// sockets). End-to-end tests use real runtime processes instead (test/gateway-*.test.ts).
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport, type HandlerContext, type Transport } from "@connectrpc/connect";
import { toolError, toValue } from "@toolbridge/proto";
import { ObjectService, type ObjectRef } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { RuntimeInfoSchema, type RuntimeInfo } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { RuntimeService } from "@toolbridge/proto/gen/toolbridge/v1/runtime_pb";
import { ExecuteToolResponseSchema, ToolInfoSchema, ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";

/** One call a stub runtime received. */
export interface StubCall {
  tool: string;
  sessionId: string;
  authorization: string | null;
  callContext: string | null;
  timeoutMs: number | undefined;
}

/** A stub runtime: records its calls; its tools behave by name (see below). */
export interface StubRuntime {
  readonly id: string;
  readonly url: string;
  readonly tools: string[];
  readonly calls: StubCall[];
  readonly released: string[];
  /** The objects it holds, by session, then handle (ObjectService). */
  readonly objects: Map<string, Map<string, ObjectRef>>;
  /** ObjectService requests it received: method, session and Authorization header. */
  readonly objectCalls: { method: string; sessionId: string; authorization: string | null }[];
  /** While true, every call fails as if the connection were refused. */
  refuse: boolean;
  /** While true, calls reach the stub but their connection then breaks (ECONNRESET). */
  reset: boolean;
  /** ReleaseSession answers UNIMPLEMENTED while true. */
  releaseUnimplemented: boolean;
  /** Resolves the `hold` calls waiting on `key`. */
  release(key: string): void;
  /** How many calls are running now. */
  running(): number;
  /** The registration of this runtime. */
  info(load?: number): RuntimeInfo;
  /** The in-memory transport to it. */
  transport: Transport;
}

/**
 * Tools of a stub: "fail" raises INVALID_ARGUMENT with an ErrorInfo; "hold" waits for release(args.key)
 * or its signal; "count" streams args.n chunks; "slow" waits args.ms or its signal; any other tool
 * answers {"runtime": id, "tool": name, "args": args}.
 */
export function createStubRuntime(id: string, tools: string[], port = 1): StubRuntime {
  const calls: StubCall[] = [];
  const released: string[] = [];
  const objects = new Map<string, Map<string, ObjectRef>>();
  const objectCalls: StubRuntime["objectCalls"] = [];
  let nextHandle = 0;
  const gates = new Map<string, () => void>();
  const waiting = new Map<string, Promise<void>>();
  let active = 0;
  const gate = (key: string) => {
    let promise = waiting.get(key);
    if (promise === undefined) {
      promise = new Promise<void>((resolve) => gates.set(key, resolve));
      waiting.set(key, promise);
    }
    return promise;
  };
  const record = (request: { tool: string; sessionId: string }, context: HandlerContext) =>
    calls.push({
      tool: request.tool,
      sessionId: request.sessionId,
      authorization: context.requestHeader.get("authorization"),
      callContext: context.requestHeader.get("toolbridge-call"),
      timeoutMs: context.timeoutMs(),
    });
  const stub: StubRuntime = {
    id,
    url: `http://stub-${id}:${port}`,
    tools,
    calls,
    released,
    objects,
    objectCalls,
    refuse: false,
    reset: false,
    releaseUnimplemented: false,
    release(key) {
      gate(key);
      gates.get(key)?.();
    },
    running: () => active,
    info(load = 0) {
      return create(RuntimeInfoSchema, {
        id,
        url: stub.url,
        tools: tools.map((name) => create(ToolInfoSchema, { name, description: `${name} on ${id}`, language: "python" })),
        capacity: { workers: 1, workerConcurrency: 4, maxQueue: 10 },
        load: { inFlight: load, queued: 0 },
      });
    },
    transport: undefined as unknown as Transport,
  };
  const until = (signal: AbortSignal, promise: Promise<unknown>) =>
    Promise.race([promise, new Promise((_, reject) => signal.addEventListener("abort", () => reject(ConnectError.from(signal.reason)), { once: true }))]);

  stub.transport = createRouterTransport(({ service }) => {
    service(ToolService, {
      listTools: () => ({ tools: stub.info().tools }),
      async executeTool(request, context) {
        record(request, context);
        active++;
        try {
          const args = request.args ?? {};
          if (request.tool === "fail") {
            throw toolError(Code.InvalidArgument, "the text is wrong", { type: "ValueError", field: "/text", tool: "fail", traceback: "Traceback ..." });
          }
          if (request.tool === "hold") await until(context.signal, gate(String(args.key)));
          if (request.tool === "slow") await until(context.signal, new Promise((r) => setTimeout(r, Number(args.ms))));
          return create(ExecuteToolResponseSchema, {
            result: toValue({ runtime: id, tool: request.tool, args }),
            requestId: request.requestId || "generated",
            runtimeId: id,
            timings: { queueMs: 0.1, runMs: 0.2, totalMs: 0.3 },
          });
        } finally {
          active--;
        }
      },
      async *streamTool(request, context) {
        record(request, context);
        const n = Number(request.args?.n ?? 2);
        if (request.tool === "fail") throw toolError(Code.InvalidArgument, "the text is wrong", { type: "ValueError", tool: "fail" });
        for (let i = 0; i < n; i++) {
          yield { event: { case: "chunk", value: { index: i, data: toValue(i + 1) } } };
          yield { event: { case: "progress", value: { fraction: (i + 1) / n, message: `${i + 1} of ${n}` } } };
        }
        if (request.tool === "break") throw toolError(Code.Internal, "broke mid-stream", { type: "RuntimeError", tool: "break" });
        yield { event: { case: "result", value: { result: toValue(n), runtimeId: id, requestId: request.requestId } } };
      },
    });
    service(RuntimeService, {
      releaseSession(request) {
        if (stub.releaseUnimplemented) throw new ConnectError("not yet", Code.Unimplemented);
        released.push(request.sessionId);
        const held = objects.get(request.sessionId)?.size ?? 0;
        objects.delete(request.sessionId);
        return { objectsReleased: held };
      },
    });
    // Objects are records of what was created; "module.Forbidden" is refused as a runtime would.
    const seen = (method: string, sessionId: string, context: HandlerContext) =>
      objectCalls.push({ method, sessionId, authorization: context.requestHeader.get("authorization") });
    const find = (sessionId: string, handle: string) => {
      const found = objects.get(sessionId)?.get(handle);
      if (found === undefined) throw new ConnectError(`no object '${handle}' in session '${sessionId}' on ${id}`, Code.NotFound);
      return found;
    };
    service(ObjectService, {
      createInstance(request, context) {
        seen("CreateInstance", request.sessionId, context);
        if (request.classPath.endsWith("Forbidden")) throw new ConnectError(`'${request.classPath}' is not allowed`, Code.PermissionDenied);
        const object = { $typeName: "toolbridge.v1.ObjectRef" as const, handle: `obj-${++nextHandle}`, classPath: request.classPath, repr: `${request.classPath}() on ${id}` };
        let held = objects.get(request.sessionId);
        if (held === undefined) objects.set(request.sessionId, (held = new Map()));
        held.set(object.handle, object);
        return { object };
      },
      callMethod(request, context) {
        seen("CallMethod", request.sessionId, context);
        find(request.sessionId, request.handle);
        return { result: { kind: { case: "value", value: toValue({ runtime: id, method: request.method }) } } };
      },
      getObject(request, context) {
        seen("GetObject", request.sessionId, context);
        return { object: find(request.sessionId, request.handle), state: { runtime: id } };
      },
      listObjects(request, context) {
        seen("ListObjects", request.sessionId, context);
        return { objects: [...(objects.get(request.sessionId)?.values() ?? [])] };
      },
      deleteObject(request, context) {
        seen("DeleteObject", request.sessionId, context);
        return { deleted: objects.get(request.sessionId)?.delete(request.handle) ?? false };
      },
      discoverSchema(request, context) {
        seen("DiscoverSchema", "", context);
        return { module: { name: request.modulePath, doc: `described by ${id}` } };
      },
    });
  });
  return stub;
}

/** A runtimeTransport for createGateway over stubs: refusing stubs fail as a refused connection would. */
export function stubTransports(stubs: StubRuntime[]): (baseUrl: string) => Transport {
  return (baseUrl) => {
    const stub = stubs.find((s) => s.url === baseUrl);
    if (stub === undefined) throw new Error(`no stub at ${baseUrl}`);
    const failure = (code: string, connectCode: Code) => {
      const cause = Object.assign(new Error(`${code} ${baseUrl}`), { code });
      return new ConnectError(cause.message, connectCode, undefined, undefined, cause);
    };
    const refusal = () => failure("ECONNREFUSED", Code.Unavailable);
    return {
      async unary(...args) {
        if (stub.refuse) throw refusal();
        const response = await stub.transport.unary(...args);
        if (stub.reset) throw failure("ECONNRESET", Code.Aborted);
        return response;
      },
      stream: (...args) => (stub.refuse ? Promise.reject(refusal()) : stub.transport.stream(...args)),
    };
  };
}
