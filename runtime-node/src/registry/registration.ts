import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import type { RuntimeInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import type { Logger } from "../log.js";
import type { PoolLoad } from "../pool/worker-pool.js";
import { type Announcement, announceRuntime } from "./runtime-announcer.js";

/** Options of startRegistration. */
export interface RegistrationOptions {
  /** The gateway's base URL, for log lines. */
  gatewayUrl: string;
  /** A transport to it. */
  transport: Transport;
  /** The runtime key, the credential the gateway expects from runtimes. */
  key: string;
  /** What to register: id, URL, tools, capacity. */
  runtime: MessageInitShape<typeof RuntimeInfoSchema>;
  /** The load reported with each heartbeat. */
  load: () => PoolLoad;
  /** Hears about registrations and failures (one line per change, not per retry). */
  log: Logger;
  /** How long to wait after a failure before trying again. Default 1000. */
  retryMs?: number;
  /** How long one request to the gateway may take. Default 5000. */
  timeoutMs?: number;
}

/** A runtime's registration with its gateway. */
export interface Registration {
  /** Resolves once the gateway has it (it may take many attempts while the gateway is down). */
  readonly registered: Promise<void>;
  /** Stops heartbeating and deregisters, so that the gateway stops routing calls here. */
  stop(): Promise<void>;
}

/**
 * Registers the runtime with the gateway, heartbeats with the pool's load at the interval the gateway asks for,
 * registers again when the gateway forgot it (a restart, an expiry), keeps trying while the gateway is down.
 */
export function startRegistration(options: RegistrationOptions): Registration {
  const { gatewayUrl, log, runtime } = options;
  let lastFailure = "";
  let stopping = false;
  const announcement: Announcement = announceRuntime({
    transport: options.transport,
    runtimeKey: options.key,
    runtime: () => runtime,
    load: options.load,
    retryMs: options.retryMs,
    timeoutMs: options.timeoutMs,
    onRegistered() {
      lastFailure = "";
      log.info(`registered with the gateway at ${gatewayUrl} as ${runtime.id} (${runtime.url})`);
    },
    onError(error) {
      if (stopping) {
        log.info(`could not deregister from the gateway at ${gatewayUrl}: ${error.message}`);
        return;
      }
      // One line per kind of failure, not one per retry while the gateway is down.
      if (error.message === lastFailure) return;
      lastFailure = error.message;
      log.warn(`cannot reach the gateway at ${gatewayUrl} to register: ${error.message}; retrying`);
    },
  });
  return {
    registered: announcement.registered,
    stop() {
      stopping = true;
      return announcement.stop();
    },
  };
}
