#!/usr/bin/env node
// @ts-check
// Command line: node infra/upstash-rest/main.mjs [--port 8079] [--host 127.0.0.1] [--redis redis://127.0.0.1:6379]
// The token comes from UPSTASH_REDIS_REST_TOKEN (or --token); the front refuses to start without one.
import { parseArgs } from "node:util";
import { startUpstashRest } from "./front.mjs";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.UPSTASH_REST_PORT ?? "8079" },
    host: { type: "string", default: "127.0.0.1" },
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
    token: { type: "string" },
  },
});

const token = values.token ?? process.env.UPSTASH_REDIS_REST_TOKEN ?? "";
if (!token) {
  console.error("upstash-rest: set UPSTASH_REDIS_REST_TOKEN (or pass --token): every request must carry it");
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`upstash-rest: --port ${values.port} is not a port number`);
  process.exit(2);
}

try {
  const front = await startUpstashRest({ redisUrl: values.redis, token, host: values.host, port });
  // The redis URL may hold a password: print only where it points.
  const target = new URL(values.redis);
  console.log(`upstash-rest listening on ${front.url} (redis ${target.hostname}:${target.port || 6379})`);
  const stop = () => void front.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} catch (err) {
  console.error(`upstash-rest: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
