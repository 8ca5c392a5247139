import type { ServiceImpl } from "@connectrpc/connect";
import { VariableService } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import type { SessionAccess } from "../sessions/session-access.js";
import type { VariableStore } from "../store/store.js";
import { changeToProto, variableToProto, writeFromProto } from "../variables/proto.js";
import { missingField } from "./errors.js";
import { principalOf } from "./principal-of.js";

/** Options of createVariableService. */
export interface VariableServiceOptions {
  /** The variables. */
  store: VariableStore;
  /** Org isolation: a cached ownership check before each operation. */
  sessions: SessionAccess;
  /** Ends open watches when the gateway stops; none when the gateway holds no signals (Workers). */
  shutdown: AbortSignal | undefined;
}

/**
 * toolbridge.v1.VariableService. Each operation is one store call (which checks the session, slides
 * its TTL and reads or writes in one round trip) after the session's ownership check, which is
 * cached; the rules and their errors are the store's.
 */
export function createVariableService(options: VariableServiceOptions): ServiceImpl<typeof VariableService> {
  const { store, sessions, shutdown } = options;
  const own = (context: Parameters<typeof principalOf>[0], sessionId: string) => sessions.check(principalOf(context), sessionId);

  return {
    async getVariable(request, context) {
      await own(context, request.sessionId);
      const variable = await store.getVariable(request.sessionId, request.name);
      return { variable: variable && variableToProto(variable) };
    },

    async setVariable(request, context) {
      if (request.write === undefined) throw missingField("write");
      await own(context, request.sessionId);
      const result = await store.commit(request.sessionId, { writes: [writeFromProto(request.write)] });
      return { variable: variableToProto(result.variables[0]) };
    },

    async deleteVariable(request, context) {
      await own(context, request.sessionId);
      const result = await store.commit(request.sessionId, {
        deletes: [{ name: request.name, expectedVersion: request.expectedVersion }],
      });
      return { deleted: result.deleted.length > 0 };
    },

    async listVariables(request, context) {
      await own(context, request.sessionId);
      return { variables: (await store.listVariables(request.sessionId)).map(variableToProto) };
    },

    async getVariables(request, context) {
      await own(context, request.sessionId);
      const found = await store.getVariables(request.sessionId, request.names);
      const variables = [];
      const missing = [];
      for (let i = 0; i < request.names.length; i++) {
        const variable = found[i];
        if (variable === undefined) missing.push(request.names[i]);
        else variables.push(variableToProto(variable));
      }
      return { variables, missing };
    },

    async updateVariables(request, context) {
      await own(context, request.sessionId);
      const result = await store.commit(request.sessionId, {
        writes: request.writes.map(writeFromProto),
        deletes: request.deletes.map((name) => ({ name })),
      });
      return { variables: result.variables.map(variableToProto) };
    },

    async *watchVariables(request, context) {
      await own(context, request.sessionId);
      const signal = shutdown === undefined ? context.signal : AbortSignal.any([context.signal, shutdown]);
      const changes = await store.watch(request.sessionId, {
        names: request.names.length > 0 ? request.names : undefined,
        includeInitial: request.includeInitial,
        signal,
      });
      for await (const change of changes) yield changeToProto(change);
    },
  };
}
