// Runs in Node before the workerd tests: starts redis-server, the Upstash REST front in front of
// it and a runtime with one Python worker, and provides their URLs and keys to the pool's bindings.
import { randomBytes } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { hostname } from "node:os";
import type { TestProject } from "vitest/node";
import { type RedisServer, startRedis } from "../../test/support/redis.js";
import { type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { type UpstashRest, startUpstashRest } from "../../test/support/upstash-rest.js";

const secret = (prefix: string) => `${prefix}-${randomBytes(18).toString("base64url")}`;

/** A port that was free a moment ago and that nothing listens on now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the processes; vitest calls the returned function to stop them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let redis: RedisServer | undefined;
  let rest: UpstashRest | undefined;
  let runtime: RuntimeProcess | undefined;
  const stop = async () => {
    await runtime?.stop();
    await rest?.stop();
    await redis?.stop();
  };
  try {
    const runtimeKey = secret("runtime");
    redis = await startRedis();
    rest = await startUpstashRest(redis.url);
    runtime = await startRuntime({ args: ["--workers", "1", "--key", runtimeKey] });
    project.provide("upstashUrl", rest.url);
    project.provide("upstashToken", rest.token);
    project.provide("runtimeKey", runtimeKey);
    project.provide("apiKey", secret("acme"));
    project.provide("limitedKey", secret("limited"));
    project.provide("runtimeUrl", runtime.url);
    project.provide("runtimeId", `rt-${hostname()}-${runtime.port}`);
    project.provide("goneUrl", `http://127.0.0.1:${await closedPort()}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}
