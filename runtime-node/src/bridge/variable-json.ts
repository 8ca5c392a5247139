import { fromJson, type JsonObject, type JsonValue, toJson } from "@bufbuild/protobuf";
import {
  type Variable,
  VariableSchema,
  type VariableWrite,
  VariableWriteSchema,
} from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { badCallback } from "./bridge-errors.js";

// Variables as the worker protocol carries them (python/PROTOCOL.md, Callbacks): the JSON forms of
// toolbridge.v1.Variable and VariableWrite, with a bytes value as the frame body instead of base64.

/** The VariableWrite of a `set_variable` callback: its params, and its body when the frame said binary. */
export function writeFromParams(params: Record<string, unknown>, body: Uint8Array | undefined): VariableWrite {
  let write: VariableWrite;
  try {
    write = fromJson(VariableWriteSchema, params as JsonValue, { ignoreUnknownFields: false });
  } catch (e) {
    throw badCallback("set_variable", `its params are not a VariableWrite: ${(e as Error).message}`);
  }
  if (write.name === "") throw badCallback("set_variable", "it names no variable");
  if (body !== undefined) write.content = { case: "bytesValue", value: body };
  return write;
}

/** A Variable as a reply carries it: the JSON without the bytes, and the bytes of a bytes variable beside it. */
export function variableReply(variable: Variable): { value: JsonObject; body: Uint8Array | undefined } {
  const bytes = variable.content.case === "bytesValue" ? variable.content.value : undefined;
  const json = toJson(VariableSchema, variable) as JsonObject;
  if (bytes !== undefined) delete json.bytesValue;
  return { value: json, body: bytes };
}

/** A Variable as `list_variables` carries it: without the content of a bytes variable. */
export function listedVariable(variable: Variable): JsonObject {
  const json = toJson(VariableSchema, variable) as JsonObject;
  delete json.bytesValue;
  return json;
}
