import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { RuntimeService } from "@toolbridge/proto/gen/toolbridge/v1/runtime_pb";
import { runtimeKeyRequired } from "../auth/access-errors.js";
import type { Caller } from "../auth/call-grant.js";
import { missing } from "../objects/object-errors.js";
import type { SessionWorkers } from "../objects/session-workers.js";
import type { WorkerPool } from "../pool/worker-pool.js";

/** Options of createRuntimeService. */
export interface RuntimeServiceOptions {
  /** The workers the objects live in. */
  pool: Pick<WorkerPool, "object">;
  /** Which worker holds each session's objects. */
  sessions: SessionWorkers;
  /** How long a release may take. */
  timeoutMs: number;
  /** Who is calling (set by auth). */
  callerOf: (context: HandlerContext) => Caller | undefined;
}

/** toolbridge.v1.RuntimeService: what the gateway asks of a runtime besides tools (runtime key only). */
export function createRuntimeService(options: RuntimeServiceOptions): ServiceImpl<typeof RuntimeService> {
  const { pool, sessions, timeoutMs, callerOf } = options;
  return {
    async releaseSession(request, context) {
      if (callerOf(context)?.kind === "session") throw runtimeKeyRequired(RuntimeService.typeName);
      if (request.sessionId === "") throw missing("session_id", "the session that ended");
      // All of a session's objects live in one worker; a session whose worker ended has nothing left to free.
      const worker = sessions.release(request.sessionId);
      if (worker === undefined) return { objectsReleased: 0 };
      const value = (await pool.object(worker, { op: "release", session: request.sessionId }, timeoutMs)) as {
        objects_released?: number;
      };
      return { objectsReleased: value?.objects_released ?? 0 };
    },
  };
}
