#!/usr/bin/env node
// The runtime's command line (brief runtime-cli.md): read the configuration once, start, drain on SIGTERM.
import { preferFullCollections, stopOnSignals } from "@toolbridge/proto/node";
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

  stopOnSignals(
    async (signal) => {
      log.info(`${signal}: draining (up to ${config.drainTimeoutMs} ms for calls in flight)`);
      await runtime.stop();
      log.info("stopped");
    },
    (e) => log.error(`stopping failed: ${e.message}`),
  );
}

main().catch((e: Error) => {
  const message = e instanceof ConfigError ? `invalid configuration: ${e.message}` : e.message;
  process.stderr.write(`toolbridge runtime: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
});
