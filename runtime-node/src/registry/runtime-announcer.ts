import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient, type Transport } from "@connectrpc/connect";
import { RegistryService, type RuntimeInfoSchema, type RuntimeLoadSchema } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";

/** Options of announceRuntime. */
export interface AnnounceOptions {
  /** A transport to the gateway. */
  transport: Transport;
  /** The runtime credential the gateway expects. */
  runtimeKey: string;
  /** What to register (id, url, tools, capacity); read again on every registration. */
  runtime: () => MessageInitShape<typeof RuntimeInfoSchema> | Promise<MessageInitShape<typeof RuntimeInfoSchema>>;
  /** The load to report with each heartbeat; none unless set. */
  load?: () => MessageInitShape<typeof RuntimeLoadSchema>;
  /** Told when a registration or heartbeat fails (the announcer keeps trying). */
  onError?: (err: Error) => void;
  /** Told after each successful registration: the first, and each after the gateway forgot the runtime. */
  onRegistered?: () => void;
  /** How long one call to the gateway may take. Default 5000. */
  timeoutMs?: number;
  /** How long to wait after a failed registration or heartbeat before trying again. Default 1000. */
  retryMs?: number;
}

/** A runtime announced to a gateway. */
export interface Announcement {
  /** Resolves once the first registration succeeded. */
  readonly registered: Promise<void>;
  /** Stops heartbeating and deregisters (unless told not to). */
  stop(options?: { deregister?: boolean }): Promise<void>;
}

/**
 * The runtime's side of RegistryService: register, heartbeat at the interval the gateway asks for,
 * register again when a heartbeat says the gateway forgot the runtime (it expired, or the store was
 * reset), retry after failures, deregister on stop. Web-standard: any runtime can use it.
 */
export function announceRuntime(options: AnnounceOptions): Announcement {
  const registry = createClient(RegistryService, options.transport);
  const callOptions = { headers: { authorization: `Bearer ${options.runtimeKey}` }, timeoutMs: options.timeoutMs ?? 5000 };
  const onError = options.onError ?? (() => {});
  let runtimeId = "";
  let intervalMs = 5000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  let markRegistered = () => {};
  const registered = new Promise<void>((resolve) => (markRegistered = resolve));

  const register = async () => {
    const runtime = await options.runtime();
    runtimeId = runtime.id ?? "";
    const response = await registry.registerRuntime({ runtime }, callOptions);
    intervalMs = response.heartbeatIntervalMs || intervalMs;
    markRegistered();
    options.onRegistered?.();
  };
  const tick = async () => {
    let failed = false;
    try {
      if (runtimeId === "") await register();
      else {
        const { known } = await registry.heartbeat({ runtimeId, load: options.load?.() }, callOptions);
        if (!known) await register();
      }
    } catch (err) {
      onError(err as Error);
      failed = true;
    }
    const delay = failed ? Math.min(intervalMs, options.retryMs ?? 1000) : intervalMs;
    if (!stopped) timer = setTimeout(run, delay);
  };
  const run = () => {
    inFlight = tick();
  };
  run();

  return {
    registered,
    async stop(stopOptions = {}) {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      // A registration on its way must land before the deregistration, or it would outlive it.
      await inFlight;
      if (stopOptions.deregister === false || runtimeId === "") return;
      try {
        await registry.deregisterRuntime({ runtimeId }, callOptions);
      } catch (err) {
        onError(err as Error);
      }
    },
  };
}
