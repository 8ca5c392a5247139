// Issue 2: a 10 MiB bytes round trip (`echo_bytes`) through the runtime, against the bare pipe and connect-node.
import { metricBelow } from "../lib/checks.mjs";
import { comparisonRow } from "../lib/compare.mjs";
import { bytesRequest, MIB } from "../lib/requests.mjs";

/**
 * The 10 MiB rows, one per client, at concurrency 1. By default h2c with the product's client and with a bare one
 * (which keeps the client's copies out of the figure); HTTP/1.1 with both only with --full (each row takes ~30 s).
 */
export function bytesRows({ maxMessageBytes }) {
  return [
    ["connect-h2c", "Connect, h2c (connect-node client)"],
    ["raw-h2c", "Connect, h2c (bare node:http2 client)"],
    ["connect-h1", "Connect, HTTP/1.1 (connect-node client)", { fullOnly: true }],
    ["raw-h1", "Connect, HTTP/1.1 (bare node:http client)", { fullOnly: true }],
  ].map(([client, title, { fullOnly = false } = {}]) =>
    comparisonRow({
      id: `bytes/${client}`,
      issue: 2,
      section: "10 MiB bytes round trip (echo_bytes), concurrency 1",
      title,
      client,
      request: bytesRequest(10 * MIB),
      concurrency: 1,
      subject: "runtime",
      baselines: [{ target: "pipe", client: "pipe" }, { target: "worker", client: "worker" }, { target: "connect-echo" }],
      checks: [metricBelow(`10 MiB round trip p50 < 30 ms (${title})`, "p50", 30, { baselines: ["connect-echo", "pipe"] })],
      fullOnly,
      notes: [`the runtime runs with --max-message-bytes ${maxMessageBytes} (${(maxMessageBytes / MIB).toFixed(0)} MiB) for this row`],
    }),
  );
}
