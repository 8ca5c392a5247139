// `npm run bench`: the figures of issues 2, 3 and 4, each against baselines measured in the same run, then one table
// of every target with PASS / MISS. Rows live in rows/*.mjs; a new row is a comparisonRow({...}) added to allRows.
import { describeEnvironment } from "./lib/environment.mjs";
import { startLoadProcess } from "./lib/load-process.mjs";
import { parseOptions, selected, USAGE } from "./lib/options.mjs";
import { installCleanup, stopAll } from "./lib/processes.mjs";
import { printHeader, printRow, printTargets, writeJson } from "./lib/report.mjs";
import { MIB } from "./lib/requests.mjs";
import { createTargets } from "./lib/targets.mjs";
import { bytesRows } from "./rows/bytes.mjs";
import { echoRows } from "./rows/echo.mjs";
import { gatewayRows } from "./rows/gateway.mjs";
import { memoryRow } from "./rows/memory.mjs";
import { nestedRows } from "./rows/nested.mjs";
import { variableRows } from "./rows/variables.mjs";

function allRows(options) {
  return [
    memoryRow({ id: "memory/idle", when: "idle after start-up", expectedWorkers: options.expectedWorkers }),
    ...echoRows(),
    ...gatewayRows(),
    ...variableRows(),
    ...bytesRows({ maxMessageBytes: options.maxMessageBytes }),
    ...nestedRows(),
    memoryRow({ id: "memory/after-load", when: "idle after the load rows", expectedWorkers: options.expectedWorkers }),
  ];
}

function targetsOf(row) {
  return row.kind === "memory" ? ["runtime"] : [row.subject, ...row.baselines.map((b) => b.target)];
}

// The command lines of the long-lived servers, printed once (keys hidden) and kept in the JSON.
async function describeServers(rows, targets) {
  const wanted = new Set(rows.flatMap(targetsOf));
  const servers = {};
  if (wanted.has("runtime")) {
    const runtime = await targets.get("runtime");
    servers.runtime = runtime.unavailable ? { unavailable: runtime.unavailable } : { args: runtime.args };
    console.log(
      runtime.unavailable
        ? `runtime: not measured: ${runtime.unavailable}`
        : `runtime: node runtime-node/dist/src/main.js ${runtime.args.join(" ")}  (--max-message-bytes raised for the 10 MiB row)`,
    );
  }
  if (["gateway", "gateway-runtime", "redis"].some((t) => wanted.has(t))) {
    const gateway = await targets.get("gateway");
    servers.gateway = gateway.unavailable ? { unavailable: gateway.unavailable } : { env: gateway.env, runtimeArgs: gateway.runtime.args };
    console.log(
      gateway.unavailable
        ? `gateway: not measured: ${gateway.unavailable}`
        : `gateway: ${gateway.env.join(" ")} node gateway/dist/src/main.js  (redis-server at ${gateway.redis.url})\n` +
            `gateway's runtime: node runtime-node/dist/src/main.js ${gateway.runtime.args.join(" ")}`,
    );
  }
  return servers;
}

async function main() {
  const started = Date.now();
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  const rows = allRows(options).filter((row) => selected(options, row));
  if (options.list) return void rows.forEach((row) => console.log(row.id));
  if (rows.length === 0) throw new Error("--only matched no row; see --list --full");

  installCleanup();
  const environment = describeEnvironment(options);
  const load = startLoadProcess();
  const targets = createTargets({
    runtime: { workers: options.workers, maxMessageBytes: options.maxMessageBytes, python: options.python },
    maxMessageBytes: options.maxMessageBytes,
  });
  const results = [];
  try {
    printHeader({ environment, options, loadPid: load.pid });
    const servers = await describeServers(rows, targets);
    for (const row of rows) {
      const result = await row.run({ options, targets, load });
      results.push(result);
      printRow(result);
    }
    printTargets(results);
    const elapsedSeconds = Math.round((Date.now() - started) / 1000);
    console.log(`\n${rows.length} rows in ${elapsedSeconds} s${options.full ? "" : " (default set; --full adds the duplicate-client rows)"}`);
    if (options.json) writeJson(options.json, { environment, options, servers, rows: results, elapsedSeconds });
  } finally {
    await load.close();
    await targets.stopAll();
    await stopAll();
  }
}

main().catch(async (e) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : e}`);
  await stopAll();
  process.exitCode = 1;
});
