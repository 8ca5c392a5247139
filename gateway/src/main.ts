#!/usr/bin/env node
// The gateway's Node entry point: read the configuration once, load the tool modules, open the
// store, provision keys, serve, and drain on SIGTERM.
import { ConnectError } from "@connectrpc/connect";
import type { ToolDefinition } from "@toolbridge/proto";
import { loadToolModules, stopOnSignals } from "@toolbridge/proto/node";
import { createNodeHttpGetFetch } from "./adapter/node-http-get.js";
import { createNodeRuntimeTransports, serveGateway } from "./adapter/node.js";
import { provisionApiKey } from "./auth/api-keys.js";
import { ConfigError, type GatewayConfig, loadConfig, usage, wantsHelp } from "./config.js";
import { createGateway } from "./gateway.js";
import { createLogger, type Logger } from "./log.js";
import { createMemoryStore } from "./store/memory/memory-store.js";
import { createRedisStore } from "./store/redis-store.js";
import type { Store } from "./store/store.js";
import { createUpstashStore } from "./store/upstash-store.js";
import { standardTools } from "./tools/standard/index.js";

async function openStore(config: GatewayConfig, log: Logger): Promise<Store> {
  const { store, limits } = config;
  switch (store.kind) {
    case "redis": {
      // A failure to connect at start is the start-up error itself; later ones are worth a warning.
      let opened = false;
      const redis = await createRedisStore({ url: store.url, limits, onError: (err) => opened && log.warn(`redis: ${err.message}`) });
      opened = true;
      return redis;
    }
    case "upstash":
      return createUpstashStore({ url: store.url, token: store.token, limits });
    default:
      return createMemoryStore({ limits });
  }
}

// Every tool the gateway serves itself: the standard ones (unless turned off), then those of the
// operator's modules. A module that does not load, or a name taken twice, stops the start.
async function gatewayTools(config: GatewayConfig): Promise<Readonly<ToolDefinition>[]> {
  // http_get on Node checks every DNS answer and connects only to what it checked; its bodies (base64
  // at worst) must fit in a response message.
  const standard = config.standardTools
    ? standardTools({
        httpGet: { allow: config.httpGetAllow, fetch: createNodeHttpGetFetch(), maxBytes: Math.min(5 * 1024 * 1024, Math.floor(config.maxMessageBytes / 2)) },
      })
    : [];
  let own: Readonly<ToolDefinition>[];
  try {
    own = await loadToolModules(config.toolModules);
  } catch (err) {
    throw new ConfigError(`TOOLBRIDGE_TOOL_MODULES: ${(err as Error).message}`);
  }
  const standardNames = new Set(standard.map((tool) => tool.name));
  const seen = new Set<string>();
  for (const { name } of own) {
    if (standardNames.has(name)) {
      throw new ConfigError(`TOOLBRIDGE_TOOL_MODULES: '${name}' is the name of a standard tool (TOOLBRIDGE_STANDARD_TOOLS=0 leaves them out)`);
    }
    if (seen.has(name)) throw new ConfigError(`TOOLBRIDGE_TOOL_MODULES: two tools are named '${name}'`);
    seen.add(name);
  }
  return [...standard, ...own];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(usage);
    return;
  }
  const config = loadConfig(argv, process.env);
  const log = createLogger({ level: config.logLevel });
  const tools = await gatewayTools(config);
  const store = await openStore(config, log);
  for (const { key, record } of config.apiKeys) await provisionApiKey(store, key, record);
  const transports = createNodeRuntimeTransports({ httpVersion: config.runtimeHttpVersion, maxMessageBytes: config.maxMessageBytes });
  const gateway = createGateway({
    store,
    runtimeTransport: transports.transport,
    runtimeKey: config.runtimeKey,
    insecure: config.insecure,
    maxMessageBytes: config.maxMessageBytes,
    corsOrigins: config.corsOrigins,
    sessionToolEndpoints: config.sessionToolEndpoints,
    tools,
    log,
  });
  const server = await serveGateway({
    gateway,
    host: config.host,
    port: config.port,
    maxMessageBytes: config.maxMessageBytes,
    drainTimeoutMs: config.drainTimeoutMs,
    connect: config.connectServing,
    runtimeSessions: config.fastPath ? transports.session : undefined,
  }).catch((e: NodeJS.ErrnoException) => {
    const why = e.code === "EADDRINUSE" ? "the address is already in use" : e.message;
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${why}`);
  });
  let out = `toolbridge gateway listening on ${server.url} (h1+h2c) with the ${config.store.kind} store`;
  out += config.insecure ? " (insecure: no API key needed)\n" : "\n";
  if (config.runtimeKeyGenerated) out += `runtime key (generated for this run): ${config.runtimeKey}\n`;
  process.stdout.write(out);

  stopOnSignals(
    async (signal) => {
      log.info(`${signal}: draining (up to ${config.drainTimeoutMs} ms for calls in flight)`);
      await server.close();
      transports.close();
      await store.close();
    },
    (e) => log.error(`stopping failed: ${e.message}`),
  );
}

main().catch((e: Error) => {
  const message =
    e instanceof ConfigError ? `invalid configuration: ${e.message}` : e instanceof ConnectError ? e.rawMessage : e.message;
  process.stderr.write(`toolbridge gateway: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
});
