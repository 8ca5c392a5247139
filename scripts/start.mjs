#!/usr/bin/env node
// `npm start`: a gateway (127.0.0.1:8080) and one runtime (127.0.0.1:50051) serving the Python examples and the
// TypeScript examples, with a development API key and a runtime key made for this run. The runtime registers
// itself with the gateway (--gateway-url); the banner is printed once it has. The store is in memory unless
// TOOLBRIDGE_REDIS_URL or UPSTASH_REDIS_REST_URL/_TOKEN say otherwise (the gateway reads them).
// TOOLBRIDGE_GATEWAY_PORT and TOOLBRIDGE_PORT move the ports (0 picks free ones).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

const gatewayMain = fileURLToPath(new URL("../gateway/dist/src/main.js", import.meta.url));
const runtimeMain = fileURLToPath(new URL("../runtime-node/dist/src/main.js", import.meta.url));
const typescriptExamples = fileURLToPath(new URL("../runtime-node/dist/examples/typescript-tools.js", import.meta.url));

const runtimeKey = process.env.TOOLBRIDGE_RUNTIME_KEY || randomBytes(32).toString("base64url");
const devKey = `tbk_dev_${randomBytes(24).toString("base64url")}`;
const registeredLine = /registered with the gateway at /;
// The runtime retries every second while the gateway is unreachable; it is started after the gateway, so this is plenty.
const registerTimeoutMs = 30_000;
const children = new Set();
let runtime;
let stopping = false;

/**
 * Spawns a process and resolves with the first line it prints on stdout. Its stderr (logs) goes to ours; when
 * `waitFor` is given, resolution also waits for a stderr line matching it. `onSpawn` gets the child at once.
 */
function start(name, main, env, waitFor, onSpawn = () => {}) {
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  onSpawn(child);
  child.once("exit", (code, signal) => {
    children.delete(child);
    if (!stopping) {
      console.error(`toolbridge: the ${name} exited (${code ?? signal}); stopping`);
      stop(1);
    }
  });
  const firstLine = new Promise((resolve) => {
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
  });
  const logged = new Promise((resolve, reject) => {
    if (waitFor === undefined) return resolve();
    let err = "";
    const timer = setTimeout(() => reject(new Error(`the ${name} did not register with the gateway within ${registerTimeoutMs / 1000} s`)), registerTimeoutMs);
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      if (err === null) return;
      err += chunk;
      if (waitFor.test(err)) {
        err = null;
        clearTimeout(timer);
        resolve();
      }
      if (err !== null && err.length > 65536) err = err.slice(-4096);
    });
    child.once("exit", () => clearTimeout(timer));
  });
  child.stderr.pipe(process.stderr);
  const exited = new Promise((_, reject) => child.once("exit", () => reject(new Error(`the ${name} did not start`))));
  return Promise.race([Promise.all([firstLine, logged]).then(([line]) => line), exited]);
}

function stop(status) {
  if (stopping) return;
  stopping = true;
  const exits = [...children].map((child) => new Promise((resolve) => child.once("exit", resolve)));
  // The runtime deregisters itself while it drains, so the gateway stops after it.
  const runtimeGone =
    runtime === undefined || runtime.exitCode !== null || runtime.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => runtime.once("exit", resolve));
  runtime?.kill("SIGTERM");
  runtimeGone.then(() => {
    for (const child of children) child.kill("SIGTERM");
  });
  const timer = setTimeout(() => {
    for (const child of children) child.kill("SIGKILL");
  }, 15_000);
  Promise.all(exits).then(() => {
    clearTimeout(timer);
    process.exit(status);
  });
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

try {
  const gatewayLine = await start("gateway", gatewayMain, { TOOLBRIDGE_RUNTIME_KEY: runtimeKey, TOOLBRIDGE_API_KEYS: `${devKey}=dev` });
  const gatewayUrl = /listening on (\S+)/.exec(gatewayLine)[1];
  const store = /with the (\S+) store/.exec(gatewayLine)?.[1] ?? "memory";
  const runtimeLine = await start(
    "runtime",
    runtimeMain,
    { TOOLBRIDGE_RUNTIME_KEY: runtimeKey, TOOLBRIDGE_GATEWAY_URL: gatewayUrl, TOOLBRIDGE_TS_MODULES: typescriptExamples },
    registeredLine,
    (child) => (runtime = child),
  );
  const runtimeUrl = /listening on (\S+)/.exec(runtimeLine)[1];
  const tools = /with \d+ tools: (.*)$/.exec(runtimeLine)?.[1] ?? "";

  const body = JSON.stringify({ tool: "reverse_text", args: { text: "hello" } });
  process.stdout.write(
    [
      "",
      `toolbridge is running (${store} store)`,
      `  gateway  ${gatewayUrl}  Connect, gRPC-Web, REST (/cluster-tools/execute, /v1/tools/{name}:stream)`,
      `  runtime  ${runtimeUrl}  gRPC, gRPC-Web, Connect; registered with the gateway; tools: ${tools}`,
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
