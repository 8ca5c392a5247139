import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type CallOptions } from "@connectrpc/connect";
import {
  type ExecuteToolRequest,
  type ExecuteToolResponse,
  type StreamToolRequest,
  type StreamToolResponse,
  type ToolInfo,
  ToolInfoSchema,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { callContextHeader, type CallContexts } from "../auth/call-context.js";
import { checkToolAllowed, mayCall, type Principal } from "../auth/principal.js";
import type { Logger } from "../log.js";
import type { SessionAccess } from "../sessions/session-access.js";
import type { SessionRecord, SessionStateStore, SessionTool } from "../store/store.js";
import type { GatewayToolCatalog } from "../tools/gateway-tools.js";
import { gatewayRuntimeId, type GatewayToolRunner } from "../tools/run-gateway-tool.js";
import type { CallRouter } from "./call-router.js";
import type { DirectorySnapshot, RuntimeDirectory } from "./directory.js";
import { fromRuntimeFailure, noRuntimeServes, sessionToolGone } from "./errors.js";
import type { RuntimePicker } from "./picker.js";
import type { RuntimeClients } from "./runtime-clients.js";

/** The cancellation and deadline of the request a call serves. */
export interface CallScope {
  /** Aborts when the caller goes away or its deadline passes. */
  signal?: AbortSignal;
  /** Time left before the caller's deadline; undefined when it set none. */
  timeoutMs?: number;
}

/** A session as the calls in it see it: its pin and its own tools, read once per request. */
export interface SessionScope {
  /** The session's id. */
  readonly id: string;
  /** The runtime the session is pinned to, if any. */
  pinned: string | undefined;
  /** The session's own tools by name. */
  readonly tools: ReadonlyMap<string, SessionTool>;
}

/** Options of createToolDispatch. */
export interface ToolDispatchOptions {
  /** Picks runtimes and retries refused connections. */
  router: CallRouter;
  /** The live runtimes. */
  directory: RuntimeDirectory;
  /** Knows runtimes marked down. */
  picker: RuntimePicker;
  /** Clients by URL. */
  clients: RuntimeClients;
  /** Session ownership. */
  sessions: SessionAccess;
  /** Affinity and session tools. */
  state: SessionStateStore;
  /** Signs the call context sent with each call. */
  callContexts: CallContexts;
  /** The runtime credential sent to registered runtimes. */
  runtimeKey: string;
  /** Longest deadline passed on. */
  maxTimeoutMs: number;
  /** URL prefixes of session tool endpoints besides registered runtimes. */
  sessionToolEndpoints: readonly string[];
  /** The gateway's own TypeScript tools, served in process (they take precedence over runtime tools of their names). */
  gatewayTools: GatewayToolCatalog;
  /** Runs them. */
  runner: GatewayToolRunner;
  /** Gets a debug line per call. */
  log: Logger;
}

/** Where forward() sends a call. */
export interface ForwardTarget {
  /** The runtime's (or session tool endpoint's) base URL. */
  url: string;
  /** The registered runtime's id; "" for a session tool endpoint that is not one. */
  runtimeId: string;
  /** The caller's time left, capped at maxTimeoutMs; undefined when it set none. */
  timeoutMs: number | undefined;
}

/** Where a call of a tool would go. */
export interface Resolution {
  /** The runtime's id, "" for a session tool endpoint that is not a registered runtime, "gateway" for a gateway tool. */
  runtimeId: string;
  /** Its base URL; "" for a gateway tool (the gateway itself serves it). */
  endpoint: string;
}

/**
 * Tool calls from any front (Connect, REST, SSE, batch items): the permission checks that come
 * before anything reaches a runtime, the session (touched once, its pin and its own tools), the
 * runtime choice with retries of refused connections, and the headers every runtime call carries.
 */
export interface ToolDispatch {
  /** The tools the principal may call: the gateway's own, those of every live runtime, and the session's own. */
  listTools(principal: Principal, sessionId: string): Promise<ToolInfo[]>;
  /** True for a tool the gateway runs itself: forward() does not take it; execute() and stream() do. */
  isGatewayTool(tool: string): boolean;
  /** Where a call would go now. */
  resolve(principal: Principal, tool: string, sessionId: string): Promise<Resolution>;
  /** PERMISSION_DENIED, FAILED_PRECONDITION (cycle) or RESOURCE_EXHAUSTED (depth) for a call the principal may not make. */
  check(principal: Principal, tool: string): void;
  /** The session scope for calls in a session (touching it once); undefined for "". */
  openSession(principal: Principal, sessionId: string): Promise<SessionScope | undefined>;
  /**
   * Runs a unary call through `send`, which makes the runtime call itself (given where to and the
   * headers it must carry): the checks, session, routing, retries of refused connections and pinning
   * are this dispatch's. execute() is forward() with a Connect client; a native adapter may send raw bytes.
   * A gateway tool (isGatewayTool) is not forwarded: INTERNAL.
   */
  forward<T>(
    principal: Principal,
    call: { tool: string; sessionId: string },
    scope: CallScope,
    send: (target: ForwardTarget, headers: Record<string, string>) => Promise<T>,
    session?: SessionScope,
  ): Promise<T>;
  /** Runs a unary call; `session` from openSession when the caller opened it already. */
  execute(principal: Principal, call: ExecuteToolRequest, scope: CallScope, session?: SessionScope): Promise<ExecuteToolResponse>;
  /** Runs a streaming call. */
  stream(principal: Principal, call: StreamToolRequest, scope: CallScope): AsyncIterable<StreamToolResponse>;
}

/** A ToolDispatch. */
export function createToolDispatch(options: ToolDispatchOptions): ToolDispatch {
  const { router, directory, picker, clients, sessions, state, callContexts, maxTimeoutMs, gatewayTools, runner, log } = options;
  const authorization = `Bearer ${options.runtimeKey}`;

  function check(principal: Principal, tool: string): void {
    if (tool === "") throw noRuntimeServes("");
    checkToolAllowed(principal, tool);
    callContexts.checkChain(principal, tool);
  }

  async function openSession(principal: Principal, sessionId: string): Promise<SessionScope | undefined> {
    if (sessionId === "") return undefined;
    // Reading the session's tools extends the session too: do it alongside the touch only when the
    // session is known to be the caller's, so that nobody extends another org's session.
    let record: SessionRecord;
    let tools: SessionTool[];
    if (sessions.known(principal, sessionId)) {
      [record, tools] = await Promise.all([sessions.touch(principal, sessionId), state.listSessionTools(sessionId)]);
    } else {
      record = await sessions.touch(principal, sessionId);
      tools = await state.listSessionTools(sessionId);
    }
    return { id: sessionId, pinned: record.runtimeId, tools: new Map(tools.map((t) => [t.tool.name, t])) };
  }

  /** The headers of a runtime call: the signed call context, and the runtime key for registered runtimes only. */
  async function headersFor(principal: Principal, call: { tool: string; sessionId: string }, timeoutMs: number | undefined, trusted: boolean) {
    const context = await callContexts.headerFor(principal, call.sessionId, call.tool, timeoutMs ?? maxTimeoutMs);
    const headers: Record<string, string> = { [callContextHeader]: context };
    if (trusted) headers.authorization = authorization;
    return headers;
  }

  async function callOptions(principal: Principal, call: { tool: string; sessionId: string }, scope: CallScope, trusted: boolean) {
    const timeoutMs = scope.timeoutMs === undefined ? undefined : Math.min(scope.timeoutMs, maxTimeoutMs);
    const headers = await headersFor(principal, call, timeoutMs, trusted);
    const options: CallOptions = { headers, signal: scope.signal, timeoutMs };
    return options;
  }

  /** Where a session tool is served, and whether it is a registered runtime. */
  function sessionToolTarget(snapshot: DirectorySnapshot, sessionTool: SessionTool): { url: string; trusted: boolean } {
    const url = sessionTool.endpoint.replace(/\/+$/, "");
    if (snapshot.byUrl.has(url)) return { url, trusted: true };
    if (options.sessionToolEndpoints.some((prefix) => url.startsWith(prefix))) return { url, trusted: false };
    throw sessionToolGone(sessionTool.tool.name);
  }

  /**
   * Pins the session to the runtime that served it, unless it is pinned to a live runtime already.
   * The call has run by then, so a failure here is logged, not given to the caller (who might retry it).
   */
  async function pin(session: SessionScope | undefined, runtimeId: string): Promise<void> {
    if (session === undefined || session.pinned === runtimeId) return;
    const pinned = session.pinned;
    try {
      if (pinned !== undefined) {
        const snapshot = await directory.snapshot();
        if (snapshot.byId.has(pinned) && !picker.isDown(pinned)) return;
      }
      session.pinned = await state.setAffinity(session.id, runtimeId, { ifAbsent: pinned === undefined });
    } catch (err) {
      log.warn(`could not pin session '${session.id}' to runtime '${runtimeId}': ${(err as Error).message}`);
    }
  }

  async function forward<T>(
    principal: Principal,
    call: { tool: string; sessionId: string },
    scope: CallScope,
    send: (target: ForwardTarget, headers: Record<string, string>) => Promise<T>,
    opened?: SessionScope,
  ): Promise<T> {
    const started = log.debugEnabled ? performance.now() : 0;
    check(principal, call.tool);
    if (gatewayTools.has(call.tool)) throw new ConnectError(`gateway tool '${call.tool}' cannot be forwarded to a runtime`, Code.Internal);
    const session = opened ?? (await openSession(principal, call.sessionId));
    const sessionTool = session?.tools.get(call.tool);
    const timeoutMs = scope.timeoutMs === undefined ? undefined : Math.min(scope.timeoutMs, maxTimeoutMs);
    let result: T;
    let servedBy: string;
    if (sessionTool !== undefined) {
      const target = sessionToolTarget(await directory.snapshot(), sessionTool);
      const headers = await headersFor(principal, call, timeoutMs, target.trusted);
      try {
        result = await send({ url: target.url, runtimeId: "", timeoutMs }, headers);
      } catch (err) {
        throw fromRuntimeFailure(err, target.url, call.tool, scope.signal);
      }
      servedBy = target.url;
    } else {
      const headers = await headersFor(principal, call, timeoutMs, true);
      const { value, runtime } = await router.unary(
        call.tool,
        session?.pinned,
        (rt) => send({ url: rt.url, runtimeId: rt.id, timeoutMs }, headers),
        scope.signal,
      );
      result = value;
      servedBy = runtime.id;
      await pin(session, runtime.id);
    }
    if (log.debugEnabled) log.debug(`call tool=${call.tool} runtime=${servedBy} ms=${(performance.now() - started).toFixed(2)}`);
    return result;
  }

  /** The checks of a gateway tool's call: permissions, and the session touched (its owner checked) unless the caller opened it. */
  async function admitLocal(principal: Principal, call: { tool: string; sessionId: string }, opened: SessionScope | undefined) {
    check(principal, call.tool);
    if (opened === undefined && call.sessionId !== "") await sessions.touch(principal, call.sessionId);
  }

  return {
    check,
    openSession,

    isGatewayTool(tool) {
      return gatewayTools.has(tool);
    },

    async listTools(principal, sessionId) {
      const [snapshot, session] = await Promise.all([directory.snapshot(), openSession(principal, sessionId)]);
      // A tool whose every runtime refused this gateway lately is not offered until one answers again.
      const up = (name: string) => snapshot.byTool.get(name)?.some((r) => !picker.isDown(r.id)) ?? false;
      // A gateway tool hides runtime and session tools of its name (gateway-tools.ts says why).
      const mine = [...gatewayTools.values()].filter((t) => mayCall(principal, t.info.name)).map((t) => t.info);
      const remote = snapshot.tools.filter((t) => !gatewayTools.has(t.name) && mayCall(principal, t.name) && up(t.name));
      const own = [...(session?.tools.values() ?? [])]
        .filter((t) => !gatewayTools.has(t.tool.name) && mayCall(principal, t.tool.name))
        .map((t) => create(ToolInfoSchema, { ...t.tool, sessionScoped: true }));
      if (mine.length === 0 && own.length === 0) return remote;
      const ownNames = new Set(own.map((t) => t.name));
      return [...mine, ...remote.filter((t) => !ownNames.has(t.name)), ...own].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async resolve(principal, tool, sessionId) {
      if (gatewayTools.has(tool)) {
        await admitLocal(principal, { tool, sessionId }, undefined);
        return { runtimeId: gatewayRuntimeId, endpoint: "" };
      }
      check(principal, tool);
      const session = await openSession(principal, sessionId);
      const sessionTool = session?.tools.get(tool);
      if (sessionTool !== undefined) {
        const snapshot = await directory.snapshot();
        const target = sessionToolTarget(snapshot, sessionTool);
        return { runtimeId: snapshot.byUrl.get(target.url)?.id ?? "", endpoint: target.url };
      }
      const runtime = await router.resolve(tool, session?.pinned);
      return { runtimeId: runtime.id, endpoint: runtime.url };
    },

    forward,

    execute(principal, call, scope, opened) {
      const local = gatewayTools.get(call.tool);
      if (local !== undefined) return admitLocal(principal, call, opened).then(() => runner.execute(local, principal, call, scope));
      return forward(principal, call, scope, (target, headers) => {
        const options: CallOptions = { headers, signal: scope.signal, timeoutMs: target.timeoutMs };
        return clients.get(target.url).tools.executeTool(call, options);
      }, opened);
    },

    async *stream(principal, call, scope) {
      const local = gatewayTools.get(call.tool);
      if (local !== undefined) {
        await admitLocal(principal, call, undefined);
        yield* runner.stream(local, principal, call, scope);
        return;
      }
      check(principal, call.tool);
      const session = await openSession(principal, call.sessionId);
      const sessionTool = session?.tools.get(call.tool);
      if (sessionTool !== undefined) {
        const target = sessionToolTarget(await directory.snapshot(), sessionTool);
        const callOpts = await callOptions(principal, call, scope, target.trusted);
        try {
          yield* clients.get(target.url).tools.streamTool(call, callOpts);
        } catch (err) {
          throw fromRuntimeFailure(err, target.url, call.tool, scope.signal);
        }
        return;
      }
      const callOpts = await callOptions(principal, call, scope, true);
      const routed = await router.stream(
        call.tool,
        session?.pinned,
        (rt) => clients.get(rt.url).tools.streamTool(call, callOpts),
        scope.signal,
      );
      try {
        await pin(session, routed.runtime.id);
        yield* routed.messages;
      } finally {
        routed.release();
      }
    },
  };
}
