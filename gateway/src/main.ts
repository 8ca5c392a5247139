#!/usr/bin/env node
// The gateway's Node entry point: read the configuration once, open the store, provision keys,
// serve, and drain on SIGTERM.
import { ConnectError } from "@connectrpc/connect";
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

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(usage);
    return;
  }
  const config = loadConfig(argv, process.env);
  const log = createLogger({ level: config.logLevel });
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
    // http_get on Node checks every DNS answer and connects only to what it checked; its bodies (base64
    // at worst) must fit in a response message.
    tools: config.standardTools
      ? standardTools({
          httpGet: { allow: config.httpGetAllow, fetch: createNodeHttpGetFetch(), maxBytes: Math.min(5 * 1024 * 1024, Math.floor(config.maxMessageBytes / 2)) },
        })
      : [],
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

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: draining (up to ${config.drainTimeoutMs} ms for calls in flight)`);
    server
      .close()
      .then(() => {
        transports.close();
        return store.close();
      })
      .then(
        () => process.exit(0),
        (e: Error) => {
          log.error(`stopping failed: ${e.message}`);
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e: Error) => {
  const message =
    e instanceof ConfigError ? `invalid configuration: ${e.message}` : e instanceof ConnectError ? e.rawMessage : e.message;
  process.stderr.write(`toolbridge gateway: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
});
