// A session with one variable in a gateway, created once per gateway for every variable row (from the harness,
// before measuring; the load generator only reads and writes it).
import { fromJson } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { SessionService } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import { VariableService, VariableWriteSchema } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";

const sessions = new WeakMap();

/**
 * The bench session of `gateway` (a target: { url, key }), created on first use with `variable` (a VariableWrite in
 * protobuf JSON form, e.g. { name, type, value }) already set, so that reads find it. Resolves with its id.
 */
export function benchSession(gateway, variable) {
  if (!sessions.has(gateway)) sessions.set(gateway, createSession(gateway, variable));
  return sessions.get(gateway);
}

async function createSession({ url, key }, variable) {
  const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1" });
  const headers = { authorization: `Bearer ${key}` };
  const { session } = await createClient(SessionService, transport).initializeSession(
    { metadata: { purpose: "bench" }, ttlSeconds: 3600 },
    { headers },
  );
  // Set through the service (not in InitializeSession) so that the write takes the same path as the rows' writes.
  await createClient(VariableService, transport).setVariable({ sessionId: session.id, write: fromJson(VariableWriteSchema, variable) }, { headers });
  return session.id;
}

