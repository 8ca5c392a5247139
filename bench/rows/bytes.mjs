// Issue 2: a 10 MiB bytes round trip (`echo_bytes`) through the runtime, against the bare pipe and connect-node.
import { metricBelow } from "../lib/checks.mjs";
import { comparisonRow } from "../lib/compare.mjs";
import { bytesRequest, MIB } from "../lib/requests.mjs";

/** The 10 MiB rows, one per client, at concurrency 1. */
export function bytesRows({ maxMessageBytes }) {
  return [
    ["connect-h1", "Connect, HTTP/1.1 (connect-node client)"],
    ["connect-h2c", "Connect, h2c (connect-node client)"],
    ["raw-h1", "Connect, HTTP/1.1 (bare node:http client)"],
    ["raw-h2c", "Connect, h2c (bare node:http2 client)"],
  ].map(([client, title]) =>
    comparisonRow({
      id: `bytes/${client}`,
      section: "10 MiB bytes round trip (echo_bytes), concurrency 1",
      title,
      client,
      request: bytesRequest(10 * MIB),
      concurrency: 1,
      subject: "runtime",
      baselines: [{ target: "pipe", client: "pipe" }, { target: "worker", client: "worker" }, { target: "connect-echo" }],
      checks: [metricBelow(`10 MiB round trip p50 < 30 ms (${title})`, "p50", 30)],
      notes: [`the runtime runs with --max-message-bytes ${maxMessageBytes} (${(maxMessageBytes / MIB).toFixed(0)} MiB) for this row`],
    }),
  );
}
