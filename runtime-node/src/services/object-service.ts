import { fromJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import type { ListValue } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import {
  CallMethodResponseSchema,
  CreateInstanceResponseSchema,
  DeleteObjectResponseSchema,
  type DiscoverSchemaResponse,
  DiscoverSchemaResponseSchema,
  GetObjectResponseSchema,
  ListObjectsResponseSchema,
  ObjectService,
} from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { sessionNotAllowed } from "../auth/access-errors.js";
import type { Caller } from "../auth/call-grant.js";
import { maxHeaderBytes } from "../pool/frame.js";
import type { ObjectFrame } from "../pool/worker-interface.js";
import type { WorkerPool } from "../pool/worker-pool.js";
import { argumentsTooLarge, missing, noObjects, noWorkerReady, notFoundAfterLoss, objectsLost } from "../objects/object-errors.js";
import type { ObjectPolicy } from "../objects/object-policy.js";
import type { SessionPlace, SessionWorkers } from "../objects/session-workers.js";

/** Options of createObjectService. */
export interface ObjectServiceOptions {
  /** The workers the objects live in. */
  pool: Pick<WorkerPool, "pickWorker" | "object">;
  /** What may be reached. */
  policy: ObjectPolicy;
  /** Which worker holds each session's objects. */
  sessions: SessionWorkers;
  /** The longest a request may take; also the deadline of requests that set none. */
  maxTimeoutMs: number;
  /** Largest request; arguments past it (as JSON) are refused. */
  maxMessageBytes: number;
  /** Who is calling (set by auth): a session token reaches its own session only. */
  callerOf: (context: HandlerContext) => Caller | undefined;
  /** Modules whose schemas are remembered. Default 256. */
  maxSchemas?: number;
}

/**
 * toolbridge.v1.ObjectService over the workers' `object` frames (python/PROTOCOL.md, Objects): the runtime checks
 * the module prefixes and private names first, sends each request to the worker that holds the session's objects,
 * bounds it by the call's deadline and the message limit, and remembers module schemas.
 */
export function createObjectService(options: ObjectServiceOptions): ServiceImpl<typeof ObjectService> {
  const { pool, policy, sessions, maxTimeoutMs, callerOf } = options;
  const maxArgsBytes = Math.min(options.maxMessageBytes, maxHeaderBytes - 64 * 1024);
  const maxSchemas = options.maxSchemas ?? 256;
  const schemas = new Map<string, Promise<DiscoverSchemaResponse>>();

  const timeoutOf = (context: HandlerContext) => Math.min(context.timeoutMs() ?? maxTimeoutMs, maxTimeoutMs);

  // The session of a request, which a session token's bearer may only name as its own.
  const sessionOf = (sessionId: string, context: HandlerContext): string => {
    if (sessionId === "") throw missing("session_id", "the session the objects belong to");
    const caller = callerOf(context);
    if (caller?.kind === "session" && caller.context.sid !== sessionId) throw sessionNotAllowed(caller.context.sid, sessionId);
    return sessionId;
  };

  const checkKwargs = (kwargs: JsonObject | undefined) => {
    for (const name of Object.keys(kwargs ?? {})) policy.checkName(name, `keyword argument '${name}'`);
  };

  // Sends a frame to the session's worker; a worker that ended makes the objects lost, not the request retryable.
  async function send(place: SessionPlace, session: string, frame: ObjectFrame, context: HandlerContext): Promise<JsonValue> {
    const size = JSON.stringify(frame).length;
    if (size > maxArgsBytes) throw argumentsTooLarge(size, maxArgsBytes);
    try {
      return await pool.object(place.worker, frame, timeoutOf(context));
    } catch (e) {
      const error = ConnectError.from(e);
      if (!place.worker.alive) throw objectsLost(session, place.worker.label);
      if (error.code === Code.NotFound && place.lostWith !== undefined && "handle" in frame) {
        throw notFoundAfterLoss(error, place.lostWith);
      }
      throw error;
    }
  }

  return {
    async createInstance(request, context) {
      const session = sessionOf(request.sessionId, context);
      if (request.classPath === "") throw missing("class_path", '"fractions.Fraction"');
      policy.checkClass(request.classPath);
      checkKwargs(request.kwargs);
      const place = sessions.forCreate(session);
      const frame = { op: "create", session, class_path: request.classPath, args: listOf(request.args), kwargs: request.kwargs ?? {} };
      return fromJson(CreateInstanceResponseSchema, await send(place, session, frame, context), { ignoreUnknownFields: true });
    },

    async callMethod(request, context) {
      const session = sessionOf(request.sessionId, context);
      if (request.handle === "") throw missing("handle", '"obj-..." from CreateInstance');
      if (request.method === "") throw missing("method", '"limit_denominator"');
      policy.checkName(request.method, `method '${request.method}'`);
      checkKwargs(request.kwargs);
      const place = sessions.forUse(session);
      if (place === undefined) throw noObjects(session, request.handle);
      const frame = {
        op: "call",
        session,
        handle: request.handle,
        method: request.method,
        args: listOf(request.args),
        kwargs: request.kwargs ?? {},
      };
      return fromJson(CallMethodResponseSchema, await send(place, session, frame, context), { ignoreUnknownFields: true });
    },

    async getObject(request, context) {
      const session = sessionOf(request.sessionId, context);
      if (request.handle === "") throw missing("handle", '"obj-..." from CreateInstance');
      const place = sessions.forUse(session);
      if (place === undefined) throw noObjects(session, request.handle);
      const value = await send(place, session, { op: "get", session, handle: request.handle }, context);
      return fromJson(GetObjectResponseSchema, value, { ignoreUnknownFields: true });
    },

    async listObjects(request, context) {
      const session = sessionOf(request.sessionId, context);
      const place = sessions.forUse(session);
      if (place === undefined) return { objects: [] };
      const value = await send(place, session, { op: "list", session }, context);
      return fromJson(ListObjectsResponseSchema, value, { ignoreUnknownFields: true });
    },

    async deleteObject(request, context) {
      const session = sessionOf(request.sessionId, context);
      if (request.handle === "") throw missing("handle", '"obj-..." from CreateInstance');
      const place = sessions.forUse(session);
      if (place === undefined) return { deleted: false };
      const value = await send(place, session, { op: "delete", session, handle: request.handle }, context);
      return fromJson(DeleteObjectResponseSchema, value, { ignoreUnknownFields: true });
    },

    discoverSchema(request, context) {
      const module = request.modulePath;
      if (module === "") throw missing("module_path", '"fractions"');
      policy.checkModule(module);
      const cached = schemas.get(module);
      if (cached !== undefined) return cached;
      const worker = pool.pickWorker();
      if (worker === undefined) throw noWorkerReady();
      const schema = pool
        .object(worker, { op: "discover", module }, timeoutOf(context))
        .then((value) => fromJson(DiscoverSchemaResponseSchema, value, { ignoreUnknownFields: true }));
      if (schemas.size >= maxSchemas) schemas.delete(schemas.keys().next().value as string);
      schemas.set(module, schema);
      // Only answers are remembered: a failure (a module that does not import, a deadline) is asked again.
      schema.catch(() => schemas.get(module) === schema && schemas.delete(module));
      return schema;
    },
  };
}

function listOf(list: ListValue | undefined): JsonValue[] {
  return list === undefined ? [] : list.values.map((v) => fromValue(v));
}
