// `node bench/gap.mjs`: the baselines alone, for the gRPC gap of issue 2: bare grpc-js against bare connect-node
// and the two hooks of the unary gRPC fast path, same client, same rounds. See bench/PROFILE.md.
import { parseArgs } from "node:util";
import { comparisonRow } from "./lib/compare.mjs";
import { startLoadProcess } from "./lib/load-process.mjs";
import { installCleanup, stopAll } from "./lib/processes.mjs";
import { printRow } from "./lib/report.mjs";
import { echoRequest, MIB } from "./lib/requests.mjs";
import { createTargets } from "./lib/targets.mjs";

const { values } = parseArgs({
  options: {
    client: { type: "string", multiple: true, default: ["grpc", "grpc-js"] },
    concurrency: { type: "string", multiple: true, default: ["1", "32"] },
    duration: { type: "string", default: "2" },
    warmup: { type: "string", default: "0.5" },
    repeat: { type: "string", default: "3" },
  },
});
const options = {
  repeat: Number(values.repeat),
  warmupMs: Number(values.warmup) * 1000,
  durationMs: Number(values.duration) * 1000,
  maxMessageBytes: 12 * MIB,
};

installCleanup();
const targets = createTargets({ maxMessageBytes: options.maxMessageBytes });
const load = startLoadProcess();
try {
  for (const concurrency of values.concurrency.map(Number)) {
    for (const client of values.client) {
      const row = comparisonRow({
        id: `gap/${client}/c${concurrency}`,
        section: `gRPC baselines alone, concurrency ${concurrency} (ratios: grpc-js / this)`,
        title: `${client} client`,
        client,
        request: echoRequest,
        concurrency,
        subject: "grpc-js-echo",
        baselines: [{ target: "connect-echo" }, { target: "connect-echo-fast" }, { target: "connect-echo-fast-request" }],
      });
      printRow(await row.run({ options, targets, load }));
    }
  }
} finally {
  await load.close();
  await targets.stopAll();
  await stopAll();
}
