// Issue 3: SetVariable and GetVariable through the gateway on the Redis-protocol store, against the gateway on the
// memory store and a bare Redis round trip (SET / GET of a value the size of the stored record) from the same
// load generator, same run.
import { createClient } from "redis";
import { metricAtLeast, metricBelow } from "../lib/checks.mjs";
import { comparisonRow } from "../lib/compare.mjs";
import { redisRequest, requestSpec } from "../lib/requests.mjs";
import { benchSession } from "../lib/sessions.mjs";

/** The variable every row reads and writes: a string of 100 characters. */
const VARIABLE = { name: "bench", type: "VARIABLE_TYPE_STRING", value: "v".repeat(100) };

// The key the bare Redis baseline uses; apart from everything the gateway stores (under "tb:").
const BASELINE_KEY = "bench:record";

const OPERATIONS = {
  set: {
    title: "SetVariable",
    request: (sessionId) =>
      requestSpec({ module: "variable_pb", service: "VariableService", method: "SetVariable", message: { sessionId, write: VARIABLE } }),
    redis: (size) => redisRequest(["SET", BASELINE_KEY, "r".repeat(size)]),
    redisTitle: "SET",
  },
  get: {
    title: "GetVariable",
    request: (sessionId) =>
      requestSpec({ module: "variable_pb", service: "VariableService", method: "GetVariable", message: { sessionId, name: VARIABLE.name } }),
    redis: (size) => redisRequest(["GET", BASELINE_KEY], { expectReplyLength: size }),
    redisTitle: "GET",
  },
};

// The gateway's record of the variable (tb:{session}:v, field = name), whose size the bare round trip copies.
async function storedRecordSize(redisUrl, sessionId) {
  const client = createClient({ url: redisUrl, RESP: 2 });
  await client.connect();
  try {
    const record = await client.sendCommand(["HGET", `tb:{${sessionId}}:v`, VARIABLE.name]);
    if (typeof record !== "string") throw new Error(`no record of ${VARIABLE.name} at tb:{${sessionId}}:v (has the key layout changed?)`);
    await client.sendCommand(["SET", BASELINE_KEY, "r".repeat(record.length)]); // for the GET baseline
    return record.length;
  } finally {
    client.destroy();
  }
}

// Once per gateway: a session holding the variable; then the requests that name it.
function prepareFor(op) {
  return async (ctx) => {
    const requests = {};
    const notes = [];
    for (const name of ["gateway", "gateway-memory"]) {
      const target = await ctx.targets.get(name);
      if (target.unavailable) continue;
      const sessionId = await benchSession(target, VARIABLE);
      requests[name] = op.request(sessionId);
      if (name === "gateway") {
        const size = await storedRecordSize(target.redis.url, sessionId);
        requests.redis = op.redis(size);
        notes.push(`one session per gateway, created before the rows; the stored record of the 100-character string is ${size} bytes, the bare ${op.redisTitle} moves a value of that size`);
      }
    }
    return { request: requests.gateway, requests, notes };
  };
}

/** The SetVariable ("set") or GetVariable ("get") request of the rows, in the bench session of `gateway` (a started target). */
export async function variableRequest(operation, gateway) {
  const op = OPERATIONS[operation];
  if (op === undefined) throw new Error(`--variable ${operation}: one of ${Object.keys(OPERATIONS).join(", ")}`);
  return op.request(await benchSession(gateway, VARIABLE));
}

// The product's client, and a bare one that encodes the request once: on 2 cores the load generator shares the
// machine with the gateway and Redis, and connect-node's client costs more CPU per call than the gateway itself.
const CLIENTS = [
  ["connect-h2c", "Connect binary, h2c (connect-node client)"],
  ["raw-h2c", "Connect binary, h2c (bare node:http2 client)"],
];

/** SetVariable and GetVariable at concurrency 1 and 32, per client, each against the memory store and bare Redis. */
export function variableRows() {
  return [1, 32].flatMap((concurrency) =>
    Object.entries(OPERATIONS).flatMap(([id, op]) =>
      CLIENTS.map(([client, clientTitle]) =>
        comparisonRow({
          id: `variables/${id}/${client}/c${concurrency}`,
          issue: 3,
          section: `session variables through the gateway (a 100-character string), concurrency ${concurrency}`,
          title: `${op.title}, ${clientTitle}`,
          client,
          request: op.request("(created in prepare)"),
          concurrency,
          subject: "gateway",
          subjectLabel: "gateway (redis store)",
          // Bare Redis does not depend on the row's client: measured in the connect-node rows only.
          baselines: [
            { target: "gateway-memory" },
            ...(client === "connect-h2c" ? [{ target: "redis", client: "redis", label: `bare Redis ${op.redisTitle} (node-redis)` }] : []),
          ],
          prepare: prepareFor(op),
          checks: [
            concurrency === 32
              ? metricAtLeast(`${op.title} via gateway (redis store) >= 5000 ops/s, ${client} client, c32`, "callsPerSecond", 5000, { baselines: ["redis", "gateway-memory"] })
              : metricBelow(`${op.title} via gateway (redis store) p50 < 1 ms, ${client} client, c1`, "p50", 1, { baselines: ["redis", "gateway-memory"] }),
          ],
        }),
      ),
    ),
  );
}
