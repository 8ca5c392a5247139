import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { RuntimeService } from "@toolbridge/proto/gen/toolbridge/v1/runtime_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";

/** The clients of one runtime (or session tool endpoint). */
export interface RuntimeClient {
  /** Its ToolService. */
  readonly tools: Client<typeof ToolService>;
  /** Its RuntimeService (ReleaseSession). */
  readonly runtime: Client<typeof RuntimeService>;
  /** Its ObjectService (the Python object bridge). */
  readonly objects: Client<typeof ObjectService>;
}

/** Clients by base URL, each made once on a transport from the injected factory. */
export interface RuntimeClients {
  /** The clients for a base URL. */
  get(baseUrl: string): RuntimeClient;
  /** Forgets a URL's clients (its runtime left). */
  forget(baseUrl: string): void;
}

/**
 * RuntimeClients on `(baseUrl) => Transport`. The transport is what keeps connections alive and
 * multiplexed (HTTP/2 on Node, fetch on Workers); credentials and the call context go as per-call
 * headers, so one transport serves every caller.
 */
export function createRuntimeClients(transport: (baseUrl: string) => Transport): RuntimeClients {
  const clients = new Map<string, RuntimeClient>();
  return {
    get(baseUrl) {
      let client = clients.get(baseUrl);
      if (client === undefined) {
        const t = transport(baseUrl);
        client = { tools: createClient(ToolService, t), runtime: createClient(RuntimeService, t), objects: createClient(ObjectService, t) };
        clients.set(baseUrl, client);
      }
      return client;
    },
    forget(baseUrl) {
      clients.delete(baseUrl);
    },
  };
}
