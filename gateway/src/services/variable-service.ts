import type { ServiceImpl } from "@connectrpc/connect";
import { VariableService } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import type { SessionVariables } from "../sessions/session-variables.js";
import { changeToProto, variableToProto, writeFromProto } from "../variables/proto.js";
import { missingField } from "./errors.js";
import { principalOf } from "./principal-of.js";

/** Options of createVariableService. */
export interface VariableServiceOptions {
  /** The variables, behind the session ownership check (shared with gateway tools' contexts). */
  variables: SessionVariables;
  /** Ends open watches when the gateway stops; none when the gateway holds no signals (Workers). */
  shutdown: AbortSignal | undefined;
}

/**
 * toolbridge.v1.VariableService. Each operation is one store call (which checks the session, slides
 * its TTL and reads or writes in one round trip) after the session's ownership check, which is
 * cached; the rules and their errors are the store's.
 */
export function createVariableService(options: VariableServiceOptions): ServiceImpl<typeof VariableService> {
  const { variables, shutdown } = options;

  return {
    async getVariable(request, context) {
      const variable = await variables.get(principalOf(context), request.sessionId, request.name);
      return { variable: variable && variableToProto(variable) };
    },

    async setVariable(request, context) {
      if (request.write === undefined) throw missingField("write");
      const result = await variables.commit(principalOf(context), request.sessionId, { writes: [writeFromProto(request.write)] });
      return { variable: variableToProto(result.variables[0]) };
    },

    async deleteVariable(request, context) {
      const result = await variables.commit(principalOf(context), request.sessionId, {
        deletes: [{ name: request.name, expectedVersion: request.expectedVersion }],
      });
      return { deleted: result.deleted.length > 0 };
    },

    async listVariables(request, context) {
      return { variables: (await variables.list(principalOf(context), request.sessionId)).map(variableToProto) };
    },

    async getVariables(request, context) {
      const found = await variables.getMany(principalOf(context), request.sessionId, request.names);
      const present = [];
      const missing = [];
      for (let i = 0; i < request.names.length; i++) {
        const variable = found[i];
        if (variable === undefined) missing.push(request.names[i]);
        else present.push(variableToProto(variable));
      }
      return { variables: present, missing };
    },

    async updateVariables(request, context) {
      const result = await variables.commit(principalOf(context), request.sessionId, {
        writes: request.writes.map(writeFromProto),
        deletes: request.deletes.map((name) => ({ name })),
      });
      return { variables: result.variables.map(variableToProto) };
    },

    async *watchVariables(request, context) {
      const signal = shutdown === undefined ? context.signal : AbortSignal.any([context.signal, shutdown]);
      const changes = await variables.watch(principalOf(context), request.sessionId, {
        names: request.names.length > 0 ? request.names : undefined,
        includeInitial: request.includeInitial,
        signal,
      });
      for await (const change of changes) yield changeToProto(change);
    },
  };
}
