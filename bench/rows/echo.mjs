// Issue 2: the `echo` tool over each protocol at concurrency 1 and 32, through the runtime and against baselines.
import { ratioAtLeast } from "../lib/checks.mjs";
import { comparisonRow } from "../lib/compare.mjs";
import { echoRequest } from "../lib/requests.mjs";

const PROTOCOLS = [
  {
    id: "connect-h1",
    title: "Connect, HTTP/1.1",
    client: "connect-h1",
    baselines: [{ target: "connect-echo" }],
    checks: (c) => (c === 32 ? [ratioAtLeast("Connect (HTTP/1.1) unary via runtime >= 0.85 x bare connect-node, c32", "connect-echo", 0.85)] : []),
  },
  {
    id: "connect-h2c",
    title: "Connect, h2c",
    client: "connect-h2c",
    baselines: [{ target: "connect-echo" }, { target: "pipe", client: "pipe" }, { target: "worker", client: "worker" }],
    checks: (c) => (c === 32 ? [ratioAtLeast("Connect (h2c) unary via runtime >= 0.85 x bare connect-node, c32", "connect-echo", 0.85)] : []),
  },
  {
    id: "grpc",
    title: "gRPC (connect-node client)",
    client: "grpc",
    baselines: [{ target: "grpc-js-echo" }, { target: "connect-echo" }],
    checks: (c) => [ratioAtLeast(`gRPC via runtime >= 0.8 x bare grpc-js, c${c}`, "grpc-js-echo", 0.8)],
    // The gap issue 2 asks about, between the two baselines alone, measured in the same rounds.
    crossRatios: [["connect-echo", "grpc-js-echo"]],
  },
  {
    id: "grpc-js-client",
    title: "gRPC (grpc-js client)",
    client: "grpc-js",
    // The same servers as the gRPC row with a cheaper client (server differences show more clearly): --full only.
    fullOnly: true,
    baselines: [{ target: "grpc-js-echo" }, { target: "connect-echo" }],
    checks: () => [],
    crossRatios: [["connect-echo", "grpc-js-echo"]],
  },
  {
    id: "grpc-web",
    title: "gRPC-Web, HTTP/1.1",
    client: "grpc-web",
    baselines: [{ target: "connect-echo" }],
    checks: () => [],
  },
];

/** The echo rows, concurrency 1 then 32. */
export function echoRows() {
  return [1, 32].flatMap((concurrency) =>
    PROTOCOLS.map((p) =>
      comparisonRow({
        id: `echo/${p.id}/c${concurrency}`,
        issue: 2,
        section: `echo {"message": "hello"}, concurrency ${concurrency}`,
        title: p.title,
        client: p.client,
        request: echoRequest,
        concurrency,
        subject: "runtime",
        baselines: p.baselines,
        crossRatios: p.crossRatios,
        checks: p.checks(concurrency),
        fullOnly: p.fullOnly,
      }),
    ),
  );
}
