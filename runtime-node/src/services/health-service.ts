import type { ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";

/** The runtime's serving status, which Health reports and watchers follow. */
export interface ServingStatus {
  get(): Status;
  set(status: Status): void;
  /** Calls `listener` on every change; returns the unsubscribe function. */
  watch(listener: (status: Status) => void): () => void;
}

/** A ServingStatus, NOT_SERVING until set otherwise. */
export function createServingStatus(): ServingStatus {
  let current = Status.NOT_SERVING;
  const listeners = new Set<(status: Status) => void>();
  return {
    get: () => current,
    set(status) {
      if (status === current) return;
      current = status;
      for (const listener of listeners) listener(status);
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * grpc.health.v1.Health for the runtime: "" (the whole server) and each named service share one status.
 * An unknown service is NOT_FOUND for Check and SERVICE_UNKNOWN for Watch, as the health protocol says.
 */
export function createHealthService(status: ServingStatus, services: string[]): ServiceImpl<typeof Health> {
  const known = new Set(["", ...services]);
  return {
    check(request) {
      if (!known.has(request.service)) {
        throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      }
      return { status: status.get() };
    },
    async *watch(request, context) {
      if (!known.has(request.service)) {
        yield { status: Status.SERVICE_UNKNOWN };
        await aborted(context.signal);
        return;
      }
      let last: Status | undefined;
      let wake: (() => void) | undefined;
      const unwatch = status.watch(() => wake?.());
      const onAbort = () => wake?.();
      context.signal.addEventListener("abort", onAbort);
      try {
        while (!context.signal.aborted) {
          const now = status.get();
          if (now !== last) {
            last = now;
            yield { status: now };
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        unwatch();
        context.signal.removeEventListener("abort", onAbort);
      }
    },
  };
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
