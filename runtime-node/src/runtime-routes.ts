import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { BatchLimits } from "@toolbridge/proto";
import { Health } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { RuntimeService } from "@toolbridge/proto/gen/toolbridge/v1/runtime_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Caller } from "./auth/call-grant.js";
import type { ObjectPolicy } from "./objects/object-policy.js";
import { createSessionWorkers } from "./objects/session-workers.js";
import type { WorkerPool } from "./pool/worker-pool.js";
import type { ToolAssembly } from "./runtime-tools.js";
import { callerKey } from "./server/auth.js";
import { createHealthService, type ServingStatus } from "./services/health-service.js";
import { createObjectService } from "./services/object-service.js";
import { createRuntimeService } from "./services/runtime-service.js";
import { createToolService } from "./services/tool-service.js";

/** Options of runtimeRoutes. */
export interface RuntimeRoutesOptions {
  /** The tools and their runner. */
  tools: ToolAssembly;
  /** The Python workers (objects live in them). */
  pool: WorkerPool;
  /** What the object bridge may reach. */
  objectPolicy: ObjectPolicy;
  /** What Health reports. */
  status: ServingStatus;
  /** Limits of BatchExecuteTools. */
  batch: BatchLimits;
  /** Events a stream may hold for a slow client. */
  maxStreamBacklog: number;
  /** Longest a request may take. */
  maxTimeoutMs: number;
  /** Largest message. */
  maxMessageBytes: number;
  /** Python workers, to bound the sessions the object bridge remembers. */
  workers: number;
}

/** The services the runtime serves on its port, for connect's router: tools, objects, runtime, health. */
export function runtimeRoutes(options: RuntimeRoutesOptions): (router: ConnectRouter) => void {
  const { tools, pool, maxTimeoutMs } = options;
  const callerOf = (context: HandlerContext): Caller | undefined => context.values.get(callerKey);
  // A worker holds at most 10000 sessions' objects (PROTOCOL.md); past that, entries of ended workers are swept.
  const sessions = createSessionWorkers({ pick: () => pool.pickWorker(), sweepAbove: options.workers * 10_000 });
  const toolService = createToolService({
    runner: tools.runner,
    catalog: tools.catalog,
    batch: options.batch,
    maxStreamBacklog: options.maxStreamBacklog,
    callerOf,
  });
  const objectService = createObjectService({
    pool,
    policy: options.objectPolicy,
    sessions,
    maxTimeoutMs,
    maxMessageBytes: options.maxMessageBytes,
    callerOf,
  });
  const runtimeService = createRuntimeService({ pool, sessions, timeoutMs: maxTimeoutMs, callerOf });
  const served = [ToolService.typeName, ObjectService.typeName, RuntimeService.typeName];
  const health = createHealthService(options.status, served);
  return (router) => {
    router.service(ToolService, toolService);
    router.service(ObjectService, objectService);
    router.service(RuntimeService, runtimeService);
    router.service(Health, health);
  };
}
