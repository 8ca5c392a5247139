import type { ServiceImpl } from "@connectrpc/connect";
import { RegistryService } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import type { Logger } from "../log.js";
import type { RuntimeDirectory } from "../routing/directory.js";
import type { RuntimeClients } from "../routing/runtime-clients.js";
import type { RuntimeRegistry } from "../store/store.js";
import type { GatewayToolCatalog } from "../tools/gateway-tools.js";
import { invalidRegistration, missingField } from "./errors.js";

/** Options of createRegistryService. */
export interface RegistryServiceOptions {
  /** The registry in the store, shared by every gateway instance. */
  registry: RuntimeRegistry;
  /** Told about registrations on this instance, so routing sees them at once. */
  directory: RuntimeDirectory;
  /** Forgets a leaving runtime's clients. */
  clients: RuntimeClients;
  /** A runtime silent this long drops out. */
  ttlMs: number;
  /** How often runtimes are told to heartbeat. */
  heartbeatIntervalMs: number;
  /** The gateway's own tools, which hide runtime tools of their names. */
  gatewayTools: GatewayToolCatalog;
  /** Told when a runtime registers a tool a gateway tool hides. */
  log: Logger;
}

const maxTools = 10_000;

/** toolbridge.v1.RegistryService: runtimes join, heartbeat and leave (the auth interceptor requires the runtime credential). */
export function createRegistryService(options: RegistryServiceOptions): ServiceImpl<typeof RegistryService> {
  const { registry, directory, clients, ttlMs, heartbeatIntervalMs } = options;
  return {
    async registerRuntime(request) {
      const runtime = request.runtime;
      if (runtime === undefined) throw missingField("runtime");
      let url: URL;
      try {
        url = new URL(runtime.url);
      } catch {
        throw invalidRegistration(`url '${runtime.url.slice(0, 200)}' is not a URL`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") throw invalidRegistration("url must be http(s)");
      if (runtime.tools.length > maxTools) throw invalidRegistration(`more than ${maxTools} tools`);
      if (runtime.tools.some((t) => t.name === "")) throw invalidRegistration("every tool needs a name");
      await registry.putRuntime(runtime, ttlMs);
      directory.invalidate();
      const hidden = runtime.tools.filter((t) => options.gatewayTools.has(t.name)).map((t) => t.name);
      if (hidden.length > 0) {
        options.log.warn(
          `runtime '${runtime.id}' registered ${hidden.map((n) => `'${n}'`).join(", ")}, which the gateway serves itself; calls of ${hidden.length === 1 ? "that name" : "those names"} run the gateway's tool`,
        );
      }
      return { heartbeatIntervalMs, ttlMs };
    },

    async heartbeat(request) {
      if (request.runtimeId === "") throw missingField("runtime_id");
      return { known: await registry.heartbeatRuntime(request.runtimeId, request.load, ttlMs) };
    },

    async deregisterRuntime(request) {
      if (request.runtimeId === "") throw missingField("runtime_id");
      const snapshot = await directory.snapshot();
      const leaving = snapshot.byId.get(request.runtimeId);
      await registry.deleteRuntime(request.runtimeId);
      directory.invalidate();
      if (leaving !== undefined) clients.forget(leaving.url);
      return {};
    },

    async listRuntimes() {
      return { runtimes: await registry.listRuntimes() };
    },
  };
}
