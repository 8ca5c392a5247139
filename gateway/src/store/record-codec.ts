import { clone, create, fromJson, type JsonObject, type JsonValue, toJson } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type RuntimeInfo,
  RuntimeInfoSchema,
  type RuntimeLoad,
  RuntimeLoadSchema,
} from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { valueFromText, valueToText } from "../variables/value-text.js";
import type { Variable, VariableConstraints, VariableMetadata, VariableType } from "../variables/variable.js";
import { variableTypes } from "../variables/variable.js";
import { unreadableRecord } from "./errors.js";
import type { ApiKeyRecord, SessionTool } from "./store.js";

// The stored form of every record, shared by all implementations so any of them reads what
// another wrote. Each record carries a format number; a reader refuses a format it does not know.
//
// A variable is four lines of compact JSON (compact JSON never holds a raw newline):
//   [1,"integer",3,1712345678901,1712345679999]   format, type, version, created, updated
//   {"min":0,"max":10}                            constraints, or null
//   {"createdBy":"org-1","tags":["a"]}            metadata, or null
//   7                                             the value (bytes: a JSON string of base64)
// so that the Lua scripts can compare and copy constraints and metadata as text, and never
// decode (or re-encode, losing precision) a value.

/** The format number of variable records written by this version. */
export const variableFormat = 1;

/** A variable's declared type and constraints, as the rules need them, with the exact stored text. */
export interface StoredDeclaration {
  /** Declared type. */
  type: VariableType;
  /** Constraints, if any. */
  constraints?: VariableConstraints;
  /** The constraints line exactly as stored ("null" when none). */
  constraintsText: string;
}

/** The constraints line of a record. */
export function constraintsText(constraints: VariableConstraints | undefined): string {
  return constraints === undefined ? "null" : JSON.stringify(constraints);
}

/** The metadata line of a record. */
export function metadataText(metadata: VariableMetadata | undefined): string {
  return metadata === undefined ? "null" : JSON.stringify(metadata);
}

/** The header line of a record. */
export function headerText(type: VariableType, version: number, createdAt: number, updatedAt: number): string {
  return `[${variableFormat},"${type}",${version},${createdAt},${updatedAt}]`;
}

/** The stored text of a variable. */
export function encodeVariable(variable: Variable): string {
  const { type, version, createdAt, updatedAt } = variable;
  return [
    headerText(type, version, createdAt, updatedAt),
    constraintsText(variable.constraints),
    metadataText(variable.metadata),
    valueToText(variable.value),
  ].join("\n");
}

/** The variable a stored text holds. */
export function decodeVariable(name: string, text: string): Variable {
  return decodeStoredVariable(name, text).variable;
}

/** The variable a stored text holds, and its declaration with the exact constraints text. */
export function decodeStoredVariable(name: string, text: string): { variable: Variable; declaration: StoredDeclaration } {
  const [header, constraints, metadata, value] = splitRecord(text, 3);
  const [type, version, createdAt, updatedAt] = readHeader(header);
  const variable: Variable = { name, type, value: valueFromText(type, value), version, createdAt, updatedAt };
  if (constraints !== "null") variable.constraints = JSON.parse(constraints) as VariableConstraints;
  if (metadata !== "null") variable.metadata = JSON.parse(metadata) as VariableMetadata;
  return { variable, declaration: { type, constraints: variable.constraints, constraintsText: constraints } };
}

/** The declared type and constraints of a stored text, without decoding its value. */
export function readDeclaration(text: string): StoredDeclaration {
  const [header, constraints] = splitRecord(text, 2);
  const [type] = readHeader(header);
  return {
    type,
    constraints: constraints === "null" ? undefined : (JSON.parse(constraints) as VariableConstraints),
    constraintsText: constraints,
  };
}

/** The first `count` newline-ended lines of a record, then the rest. */
function splitRecord(text: string, count: number): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = text.indexOf("\n", start);
    if (end < 0) throw unreadableRecord("variable");
    parts.push(text.slice(start, end));
    start = end + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

/** The header fields of a stored variable, without decoding the rest. */
export function readRecordHeader(text: string): { type: VariableType; version: number; createdAt: number; updatedAt: number } {
  const [type, version, createdAt, updatedAt] = readHeader(splitRecord(text, 1)[0]);
  return { type, version, createdAt, updatedAt };
}

function readHeader(header: string): [VariableType, number, number, number] {
  let parsed: unknown[];
  try {
    parsed = JSON.parse(header) as unknown[];
  } catch {
    throw unreadableRecord("variable");
  }
  if (!Array.isArray(parsed) || parsed[0] !== variableFormat || !variableTypes.includes(parsed[1] as VariableType)) {
    throw unreadableRecord("variable");
  }
  return [parsed[1] as VariableType, parsed[2] as number, parsed[3] as number, parsed[4] as number];
}

/** The stored text of a session's own fields (its times and TTL are stored beside it). */
export function encodeSessionData(orgId: string, metadata: Record<string, string>): string {
  return JSON.stringify({ f: 1, org: orgId, meta: metadata });
}

/** The org and metadata of a session's stored text. */
export function decodeSessionData(text: string): { orgId: string; metadata: Record<string, string> } {
  const data = JSON.parse(text) as { f: number; org: string; meta: Record<string, string> };
  if (data.f !== 1) throw unreadableRecord("session");
  return { orgId: data.org, metadata: data.meta };
}

/** The stored text of a runtime's description (its load and times are stored beside it). */
export function encodeRuntime(runtime: RuntimeInfo): string {
  const info = clone(RuntimeInfoSchema, create(RuntimeInfoSchema, runtime));
  info.load = undefined;
  info.registeredAt = undefined;
  info.lastHeartbeatAt = undefined;
  return JSON.stringify({ f: 1, info: toJson(RuntimeInfoSchema, info) });
}

/** The stored text of a runtime's load. */
export function encodeLoad(load: RuntimeLoad | undefined): string {
  return JSON.stringify({ inFlight: load?.inFlight ?? 0, queued: load?.queued ?? 0 });
}

/** A runtime from its stored description, load and times. */
export function decodeRuntime(text: string, loadText: string, registeredAt: number, lastHeartbeatAt: number): RuntimeInfo {
  const data = JSON.parse(text) as { f: number; info: JsonValue };
  if (data.f !== 1) throw unreadableRecord("runtime");
  const info = fromJson(RuntimeInfoSchema, data.info, { ignoreUnknownFields: true });
  info.load = create(RuntimeLoadSchema, JSON.parse(loadText) as { inFlight: number; queued: number });
  info.registeredAt = timestampFromMs(registeredAt);
  info.lastHeartbeatAt = timestampFromMs(lastHeartbeatAt);
  return info;
}

/** The stored text of a session tool. */
export function encodeSessionTool(tool: SessionTool): string {
  return JSON.stringify({ f: 1, endpoint: tool.endpoint, tool: toJson(ToolInfoSchema, create(ToolInfoSchema, tool.tool)) });
}

/** A session tool from its stored text. */
export function decodeSessionTool(text: string): SessionTool {
  const data = JSON.parse(text) as { f: number; endpoint: string; tool: JsonObject };
  if (data.f !== 1) throw unreadableRecord("session tool");
  return { endpoint: data.endpoint, tool: fromJson(ToolInfoSchema, data.tool, { ignoreUnknownFields: true }) };
}

/** The stored text of an API key's record. */
export function encodeApiKey(record: ApiKeyRecord): string {
  return JSON.stringify({ f: 1, org: record.orgId, tools: record.allowedTools, label: record.label });
}

/** An API key's record from its stored text. */
export function decodeApiKey(text: string): ApiKeyRecord {
  const data = JSON.parse(text) as { f: number; org: string; tools: "all" | string[]; label?: string };
  if (data.f !== 1) throw unreadableRecord("API key");
  const record: ApiKeyRecord = { orgId: data.org, allowedTools: data.tools };
  if (data.label !== undefined) record.label = data.label;
  return record;
}
