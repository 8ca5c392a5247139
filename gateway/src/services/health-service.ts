import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";

/** Whether the gateway serves: SERVING from the start, NOT_SERVING once it drains. */
export interface ServingState {
  /** The current status. */
  get(): Status;
  /** Marks the gateway as draining; watchers see NOT_SERVING. */
  drain(): void;
  /** Resolves when drain() is called. */
  readonly draining: Promise<void>;
}

/** A ServingState. */
export function createServingState(): ServingState {
  let status = Status.SERVING;
  let markDrained = () => {};
  const draining = new Promise<void>((resolve) => (markDrained = resolve));
  return {
    get: () => status,
    drain() {
      status = Status.NOT_SERVING;
      markDrained();
    },
    draining,
  };
}

/**
 * grpc.health.v1.Health for the gateway: "" and each served service share one status. An unknown
 * service is NOT_FOUND for Check and SERVICE_UNKNOWN for Watch, as the health protocol says.
 */
export function createHealthService(state: ServingState, services: string[]): ServiceImpl<typeof Health> {
  const known = new Set(["", ...services]);
  return {
    check(request) {
      if (!known.has(request.service)) throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      return { status: state.get() };
    },
    async *watch(request, context) {
      const ended = new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve(), { once: true }));
      if (!known.has(request.service)) {
        yield { status: Status.SERVICE_UNKNOWN };
        await ended;
        return;
      }
      yield { status: state.get() };
      if (state.get() === Status.SERVING) {
        await Promise.race([state.draining, ended]);
        if (!context.signal.aborted) yield { status: state.get() };
      }
      await ended;
    },
  };
}
