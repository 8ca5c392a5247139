// `npm run bench`: the echo, 10 MiB and memory figures of issue 2, each against baselines measured in the same run.
// Rows live in rows/*.mjs; a new row is a comparisonRow({...}) added to ROWS below (see bench/README.md).
import { describeEnvironment } from "./lib/environment.mjs";
import { startLoadProcess } from "./lib/load-process.mjs";
import { parseOptions, selected, USAGE } from "./lib/options.mjs";
import { installCleanup, stopAll } from "./lib/processes.mjs";
import { printHeader, printRow, printTargets, writeJson } from "./lib/report.mjs";
import { MIB } from "./lib/requests.mjs";
import { createTargets } from "./lib/targets.mjs";
import { bytesRows } from "./rows/bytes.mjs";
import { echoRows } from "./rows/echo.mjs";
import { memoryRow } from "./rows/memory.mjs";
import { nestedRows } from "./rows/nested.mjs";

function allRows(options) {
  return [
    memoryRow({ id: "memory/idle", when: "idle after start-up", expectedWorkers: options.expectedWorkers }),
    ...echoRows(),
    ...bytesRows({ maxMessageBytes: options.maxMessageBytes }),
    ...nestedRows(),
    memoryRow({ id: "memory/after-load", when: "idle after the load rows", expectedWorkers: options.expectedWorkers }),
  ];
}

function targetsOf(row) {
  return row.kind === "memory" ? ["runtime"] : [row.subject, ...row.baselines.map((b) => b.target)];
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  const rows = allRows(options).filter((row) => selected(options, row.id));
  if (options.list) return void rows.forEach((row) => console.log(row.id));
  if (rows.length === 0) throw new Error("--only matched no row; see --list");

  installCleanup();
  const environment = describeEnvironment(options);
  const load = startLoadProcess();
  const targets = createTargets({
    runtime: { workers: options.workers, maxMessageBytes: options.maxMessageBytes, python: options.python },
    maxMessageBytes: options.maxMessageBytes,
  });
  const results = [];
  let runtimeArgs;
  try {
    printHeader({ environment, options, loadPid: load.pid });
    if (rows.some((row) => targetsOf(row).includes("runtime"))) {
      const runtime = await targets.get("runtime");
      runtimeArgs = runtime.args;
      console.log(
        runtime.unavailable
          ? `runtime: not measured: ${runtime.unavailable}`
          : `runtime: node runtime-node/dist/src/main.js ${runtime.args.join(" ")}  (--max-message-bytes ${options.maxMessageBytes / MIB} MiB: raised for the 10 MiB row)`,
      );
    }
    for (const row of rows) {
      const result = await row.run({ options, targets, load });
      results.push(result);
      printRow(result);
    }
    printTargets(results);
    if (options.json) writeJson(options.json, { environment, options, runtimeArgs, rows: results });
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
