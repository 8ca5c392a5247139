#!/usr/bin/env node
// The runtime's command line (brief runtime-cli.md): read the configuration once, start, drain on SIGTERM.
import { preferFullCollections } from "@toolbridge/proto/node";
import { ConfigError, loadConfig, usage, wantsHelp } from "./config.js";
import { createLogger } from "./log.js";
import { createRuntime } from "./runtime.js";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(usage);
    return;
  }
  const config = loadConfig(argv, process.env);
  const log = createLogger({ level: config.logLevel });
  preferFullCollections();
  const runtime = createRuntime({ ...config, log });
  const info = await runtime.start();
  const scheme = `${info.url} (${info.protocols})`;
  let out = `toolbridge runtime listening on ${scheme} with ${info.tools.length} tools: ${info.tools.join(", ")}\n`;
  if (config.keyGenerated) out += `runtime key (generated for this run): ${config.key}\n`;
  process.stdout.write(out);

  let signalled = false;
  const stop = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    log.info(`${signal}: draining (up to ${config.drainTimeoutMs} ms for calls in flight)`);
    runtime.stop().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
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
  const message = e instanceof ConfigError ? `invalid configuration: ${e.message}` : e.message;
  process.stderr.write(`toolbridge runtime: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
});
