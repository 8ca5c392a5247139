#!/usr/bin/env node
// @ts-check
// Registers the runtime of this pod with the gateway and heartbeats until SIGTERM, then
// deregisters it: the runtime pods' sidecar (k8s/runtime.yaml) until runtimes announce themselves.
// It reads the runtime's tools from the runtime itself, as the runtime serves them.
//
// Environment:
//   TOOLBRIDGE_GATEWAY_URL   the gateway, e.g. http://toolbridge-gateway:8080
//   TOOLBRIDGE_RUNTIME_URL   where the gateway reaches this runtime, e.g. http://10.1.2.3:50051
//   TOOLBRIDGE_LOCAL_URL     where this sidecar reaches it (http://127.0.0.1:50051 unless set)
//   TOOLBRIDGE_RUNTIME_KEY   the runtime credential (the gateway's and the runtime's)
//   TOOLBRIDGE_WORKERS       the runtime's Python workers, reported as its capacity (1 unless set)
import { hostname } from "node:os";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { announceRuntime } from "../gateway/dist/src/index.js";

/** @param {string} message */
function fail(message) {
  process.stderr.write(`announce-runtime: ${message}\n`);
  process.exit(2);
}

const { TOOLBRIDGE_GATEWAY_URL: gatewayUrl, TOOLBRIDGE_RUNTIME_URL: runtimeUrl, TOOLBRIDGE_RUNTIME_KEY: runtimeKey } = process.env;
if (!gatewayUrl || !runtimeUrl) fail("set TOOLBRIDGE_GATEWAY_URL and TOOLBRIDGE_RUNTIME_URL");
if (!runtimeKey || runtimeKey.length < 16) fail("set TOOLBRIDGE_RUNTIME_KEY (16 or more characters)");
const localUrl = process.env.TOOLBRIDGE_LOCAL_URL || "http://127.0.0.1:50051";
const workers = Number(process.env.TOOLBRIDGE_WORKERS ?? "1");
if (!Number.isInteger(workers) || workers < 1) fail("TOOLBRIDGE_WORKERS must be a whole number from 1");

// The id the runtime gives itself (rt-<hostname>-<port>); the sidecar shares the pod's hostname.
const id = `rt-${hostname()}-${new URL(/** @type {string} */ (runtimeUrl)).port || "80"}`;
const auth = { headers: { authorization: `Bearer ${runtimeKey}` } };
const runtime = createClient(ToolService, createConnectTransport({ baseUrl: localUrl, httpVersion: "1.1" }));
let lastError = "";

const announcement = announceRuntime({
  transport: createConnectTransport({ baseUrl: /** @type {string} */ (gatewayUrl), httpVersion: "1.1" }),
  runtimeKey: /** @type {string} */ (runtimeKey),
  // Read again at every registration, so a runtime that restarted with other tools is registered as it is.
  runtime: async () => {
    const { tools } = await runtime.listTools({}, auth);
    return { id, url: runtimeUrl, tools, capacity: { workers, workerConcurrency: 16, maxQueue: 1024 } };
  },
  // It keeps trying (the runtime or the gateway may not be up yet); each new failure is told once.
  onError: (err) => {
    if (err.message !== lastError) process.stderr.write(`announce-runtime: ${err.message} (retrying)\n`);
    lastError = err.message;
  },
});

announcement.registered.then(() => {
  process.stdout.write(`announce-runtime: registered ${id} (${runtimeUrl}) with ${gatewayUrl}\n`);
});

const stop = () => {
  announcement.stop().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
