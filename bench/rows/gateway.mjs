// Issue 3: a tool call through the gateway (Redis-protocol store, a runtime registered with it) against the same
// call made directly to that runtime, same client, same run.
import { p50AddedBelow, ratioAtLeast } from "../lib/checks.mjs";
import { comparisonRow } from "../lib/compare.mjs";
import { echoRequest } from "../lib/requests.mjs";

const CLIENTS = [
  ["connect-h1", "Connect binary, HTTP/1.1"],
  ["connect-h2c", "Connect binary, h2c"],
];

/** The gateway tool-call rows, concurrency 1 then 32, one per client. */
export function gatewayRows() {
  return [1, 32].flatMap((concurrency) =>
    CLIENTS.map(([client, title]) =>
      comparisonRow({
        id: `gateway/${client}/c${concurrency}`,
        issue: 3,
        section: `a tool call (echo {"message": "hello"}) through the gateway and directly, concurrency ${concurrency}`,
        title,
        client,
        request: echoRequest,
        concurrency,
        subject: "gateway",
        baselines: [{ target: "gateway-runtime" }],
        checks: [
          concurrency === 32
            ? ratioAtLeast(`tool call via gateway >= 0.6 x direct to the runtime, ${title}, c32`, "gateway-runtime", 0.6)
            : p50AddedBelow(`tool call via gateway adds < 0.5 ms p50, ${title}, c1`, "gateway-runtime", 0.5),
        ],
      }),
    ),
  );
}
