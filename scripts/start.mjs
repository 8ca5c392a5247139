#!/usr/bin/env node
// `npm start`: a gateway (127.0.0.1:8080) and one runtime (127.0.0.1:50051, the example tools),
// with a development API key and a runtime key made for this run. The store is in memory unless
// TOOLBRIDGE_REDIS_URL or UPSTASH_REDIS_REST_URL/_TOKEN say otherwise (the gateway reads them).
// TOOLBRIDGE_GATEWAY_PORT and TOOLBRIDGE_PORT move the ports (0 picks free ones).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { availableParallelism, hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { announceRuntime } from "../gateway/dist/src/index.js";

const gatewayMain = fileURLToPath(new URL("../gateway/dist/src/main.js", import.meta.url));
const runtimeMain = fileURLToPath(new URL("../runtime-node/dist/src/main.js", import.meta.url));

const runtimeKey = process.env.TOOLBRIDGE_RUNTIME_KEY || randomBytes(32).toString("base64url");
const devKey = `tbk_dev_${randomBytes(24).toString("base64url")}`;
const children = new Set();
let announcement;
let stopping = false;

/** Spawns a process and resolves with the first line it prints on stdout; its stderr (logs) goes to ours. */
function start(name, main, env) {
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  child.once("exit", (code, signal) => {
    children.delete(child);
    if (!stopping) {
      console.error(`toolbridge: the ${name} exited (${code ?? signal}); stopping`);
      stop(1);
    }
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk) => {
      out += chunk;
      const newline = out.indexOf("\n");
      if (newline < 0) return;
      child.stdout.off("data", onData);
      child.stdout.pipe(process.stdout);
      resolve(out.slice(0, newline));
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.once("exit", () => reject(new Error(`the ${name} did not start`)));
  });
}

function stop(status) {
  if (stopping) return;
  stopping = true;
  const exits = [...children].map((child) => new Promise((resolve) => child.once("exit", resolve)));
  const deregistered = announcement ? announcement.stop() : Promise.resolve();
  deregistered.finally(() => {
    for (const child of children) child.kill("SIGTERM");
    const timer = setTimeout(() => {
      for (const child of children) child.kill("SIGKILL");
    }, 15_000);
    Promise.all(exits).then(() => {
      clearTimeout(timer);
      process.exit(status);
    });
  });
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

try {
  const [gatewayLine, runtimeLine] = await Promise.all([
    start("gateway", gatewayMain, { TOOLBRIDGE_RUNTIME_KEY: runtimeKey, TOOLBRIDGE_API_KEYS: `${devKey}=dev` }),
    start("runtime", runtimeMain, { TOOLBRIDGE_RUNTIME_KEY: runtimeKey }),
  ]);
  const gatewayUrl = /listening on (\S+)/.exec(gatewayLine)[1];
  const store = /with the (\S+) store/.exec(gatewayLine)?.[1] ?? "memory";
  const runtimeUrl = /listening on (\S+)/.exec(runtimeLine)[1];

  // Until runtimes register themselves (their side of RegistryService is still to come), this script
  // registers the runtime it started and heartbeats for it. Remove this once the runtime does it.
  const headers = { authorization: `Bearer ${runtimeKey}` };
  const { tools } = await createClient(ToolService, createConnectTransport({ baseUrl: runtimeUrl, httpVersion: "1.1" })).listTools({}, { headers });
  const workers = Number(process.env.TOOLBRIDGE_WORKERS) || availableParallelism();
  announcement = announceRuntime({
    transport: createConnectTransport({ baseUrl: gatewayUrl, httpVersion: "1.1" }),
    runtimeKey,
    runtime: () => ({
      id: `rt-${hostname()}-${new URL(runtimeUrl).port}`,
      url: runtimeUrl,
      tools,
      capacity: { workers, workerConcurrency: Number(process.env.TOOLBRIDGE_WORKER_CONCURRENCY) || 16, maxQueue: Number(process.env.TOOLBRIDGE_MAX_QUEUE) || 1024 },
    }),
    // While stopping, the gateway may already be gone (Ctrl-C reaches every process): say nothing then.
    onError: (err) => stopping || console.error(`toolbridge: registering the runtime failed: ${err.message}`),
  });
  await announcement.registered;

  const body = JSON.stringify({ tool: "reverse_text", args: { text: "hello" } });
  process.stdout.write(
    [
      "",
      `toolbridge is running (${store} store)`,
      `  gateway  ${gatewayUrl}  Connect, gRPC-Web, REST (/cluster-tools/execute, /v1/tools/{name}:stream)`,
      `  runtime  ${runtimeUrl}  gRPC, gRPC-Web, Connect; tools: ${tools.map((t) => t.name).join(", ")}`,
      `  development API key (all tools): ${devKey}`,
      `  runtime key (this run):          ${runtimeKey}`,
      "",
      "Try it:",
      `  curl -sS ${gatewayUrl}/toolbridge.v1.ToolService/ExecuteTool -H 'Authorization: Bearer ${devKey}' -H 'Content-Type: application/json' -d '${body}'`,
      "",
      "Ctrl-C stops both.",
      "",
    ].join("\n"),
  );
} catch (err) {
  console.error(`toolbridge: ${err.message}`);
  stop(1);
}
