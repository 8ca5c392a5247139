import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { SessionService } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { JwtSigner } from "../auth/jwt-signer.js";
import { signSessionToken } from "../auth/session-token.js";
import type { RuntimeDirectory } from "../routing/directory.js";
import { endpointNotAllowed } from "../routing/errors.js";
import { listOrgSessions } from "../sessions/org-sessions.js";
import type { SessionAccess } from "../sessions/session-access.js";
import { sessionToProto } from "../sessions/session-proto.js";
import type { SessionStateStore, SessionStore } from "../store/store.js";
import type { GatewayToolCatalog } from "../tools/gateway-tools.js";
import { variableToProto, writeFromProto } from "../variables/proto.js";
import type { VariableStore } from "../store/store.js";
import { gatewayToolName, missingField, outOfRange } from "./errors.js";
import { principalOf } from "./principal-of.js";

/** Options of createSessionService. */
export interface SessionServiceOptions {
  /** Sessions, their variables and their state. */
  store: SessionStore & VariableStore & SessionStateStore;
  /** Org isolation. */
  sessions: SessionAccess;
  /** Live runtimes: session tool endpoints and token audiences. */
  directory: RuntimeDirectory;
  /** Tells a session's runtime to free its state; resolves true when it did. */
  release: (runtimeId: string, sessionId: string) => Promise<boolean>;
  /** Signs session tokens with the runtime key. */
  signer: JwtSigner;
  /** URL prefixes allowed for session tool endpoints besides registered runtimes. */
  sessionToolEndpoints: readonly string[];
  /** The gateway's own tools, whose names session tools may not take. */
  gatewayTools: GatewayToolCatalog;
  /** Idle expiry when a request gives none. */
  defaultTtlMs: number;
  /** Longest idle expiry. */
  maxTtlMs: number;
  /** Token lifetime when a request gives none. */
  defaultTokenTtlMs: number;
  /** Longest token lifetime. */
  maxTokenTtlMs: number;
}

/** toolbridge.v1.SessionService: sessions of the caller's org, isolated from every other org. */
export function createSessionService(options: SessionServiceOptions): ServiceImpl<typeof SessionService> {
  const { store, sessions, directory, signer } = options;
  const maxTtlSeconds = Math.floor(options.maxTtlMs / 1000);

  return {
    async initializeSession(request, context) {
      const principal = principalOf(context);
      if (request.ttlSeconds > maxTtlSeconds) throw outOfRange("ttl_seconds", maxTtlSeconds, "seconds");
      const created = await store.createSession({
        id: request.sessionId || undefined,
        orgId: principal.orgId,
        metadata: request.metadata,
        ttlMs: request.ttlSeconds > 0 ? request.ttlSeconds * 1000 : options.defaultTtlMs,
        variables: request.variables.map(writeFromProto),
      });
      sessions.remember(created.session);
      return { session: sessionToProto(created.session), variables: created.variables.map(variableToProto) };
    },

    async getSession(request, context) {
      return { session: sessionToProto(await sessions.touch(principalOf(context), request.sessionId)) };
    },

    async cleanupSession(request, context) {
      const record = await sessions.read(principalOf(context), request.sessionId);
      const result = await store.deleteSession(record.id);
      sessions.forget(record.id);
      if (record.runtimeId !== undefined) await options.release(record.runtimeId, record.id);
      return result;
    },

    async listSessions(request, context) {
      const page = await listOrgSessions(store, principalOf(context).orgId, request);
      return { sessions: page.sessions.map(sessionToProto), nextPageToken: page.nextPageToken };
    },

    async registerSessionTool(request, context) {
      const principal = principalOf(context);
      if (request.tool === undefined || request.tool.name === "") throw missingField("tool.name");
      if (options.gatewayTools.has(request.tool.name)) throw gatewayToolName(request.tool.name);
      await sessions.touch(principal, request.sessionId);
      const endpoint = request.endpoint.replace(/\/+$/, "");
      const registered = (await directory.snapshot()).byUrl.has(endpoint);
      if (!registered && !options.sessionToolEndpoints.some((prefix) => endpoint.startsWith(prefix))) {
        throw endpointNotAllowed(request.endpoint);
      }
      const tool = create(ToolInfoSchema, { ...request.tool, sessionScoped: true });
      await store.putSessionTool(request.sessionId, { tool, endpoint });
      return { tool };
    },

    async createSessionToken(request, context) {
      const principal = principalOf(context);
      const session = await sessions.touch(principal, request.sessionId);
      const asked = request.ttlSeconds > 0 ? request.ttlSeconds * 1000 : options.defaultTokenTtlMs;
      const ttlMs = Math.min(asked, options.maxTokenTtlMs, session.ttlMs);
      const { token, expiresAt } = await signSessionToken(signer, principal, session.id, ttlMs);
      const runtimeUrls = (await directory.snapshot()).runtimes.map((r) => r.url);
      return { token, expiresAt: timestampFromMs(expiresAt), runtimeUrls };
    },
  };
}
