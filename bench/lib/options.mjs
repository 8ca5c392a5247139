// The bench's command line, read once in run.mjs and passed down.
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { MIB } from "./requests.mjs";

/** Usage text for --help. */
export const USAGE = `usage: npm run bench -- [options]

  --duration <s>        measured seconds per run (default 2)
  --warmup <s>          discarded seconds before each run (default 0.5)
  --repeat <n>          runs per target per row, alternating order; medians are reported (default 3)
  --full                every row: also the duplicate-client rows left out by default (see --list --full)
  --only <pattern>      run only rows whose id matches (regular expression; repeatable, or comma-separated),
                        from every row, --full or not
  --list                print the row ids and exit
  --json <file>         also write every figure as JSON
  --workers <n>         the runtime's Python workers (default: the runtime's own default, the CPU count)
  --python <exe>        Python executable for the runtime and the pipe baseline (default python3)
  --max-message-bytes <n>  the runtime's and baselines' message limit (default 12 MiB, for the 10 MiB row)
  --help`;

/** Parses argv into the options every part of the bench reads. */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string", default: "2" },
      warmup: { type: "string", default: "0.5" },
      repeat: { type: "string", default: "3" },
      only: { type: "string", multiple: true, default: [] },
      full: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      json: { type: "string" },
      workers: { type: "string" },
      python: { type: "string", default: "python3" },
      "max-message-bytes": { type: "string", default: String(12 * MIB) },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  const number = (name, value, min) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
  const only = values.only.flatMap((p) => p.split(",")).filter(Boolean).map((p) => new RegExp(p));
  return {
    help: values.help,
    list: values.list,
    durationMs: number("duration", values.duration, 0.1) * 1000,
    warmupMs: number("warmup", values.warmup, 0) * 1000,
    repeat: Math.round(number("repeat", values.repeat, 1)),
    only,
    full: values.full,
    json: values.json,
    workers: values.workers === undefined ? undefined : Math.round(number("workers", values.workers, 1)),
    expectedWorkers: values.workers === undefined ? availableParallelism() : Math.round(Number(values.workers)),
    python: values.python,
    maxMessageBytes: Math.round(number("max-message-bytes", values["max-message-bytes"], 1024)),
  };
}

/**
 * Whether a row is run: with --only, when a pattern matches its id; otherwise every row, except those marked
 * `fullOnly` unless --full was given.
 */
export function selected(options, row) {
  if (options.only.length > 0) return options.only.some((re) => re.test(row.id));
  return options.full || !row.fullOnly;
}
