import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { toolError } from "./error-info.js";

// The shape of a TypeScript tool, the same in a runtime and in the gateway. Web-standard only:
// gateway tools run on Cloudflare Workers too.

/** A tool's result when it is binary, or JSON and binary together. */
export interface ToolResult {
  /** The JSON result; null when the result is only binary. */
  value: JsonValue;
  /** The binary result, sent as the response payload without JSON. */
  payload?: Uint8Array;
}

/** What a call of another tool, made from inside a tool, may set. */
export interface NestedCallOptions {
  /** Binary input for the tool's payload parameter. */
  payload?: Uint8Array;
}

/** How a tool writes a session variable. */
export interface SetVariableOptions {
  /** Declared type on creation ("string", "integer", "float", "boolean", "object", "array", "bytes"). */
  type?: string;
  /** Write only if the variable is at this version; 0: only if it does not exist. */
  expectedVersion?: number;
  /** Who wrote it, tags, description. */
  metadata?: { createdBy?: string; tags?: string[]; description?: string };
}

/** A session variable as a tool sees it. */
export interface VariableView {
  /** The variable's name. */
  name: string;
  /** Declared type, e.g. "integer". */
  type: string;
  /** The value (null for a bytes variable: see bytesValue). */
  value: JsonValue;
  /** The value of a bytes variable. */
  bytesValue?: Uint8Array;
  /** 1 on creation, one more per write. */
  version: number;
}

/**
 * What a TypeScript tool receives besides its arguments. Everything it reaches through the context
 * runs with the caller's session, permissions and remaining deadline.
 */
export interface ToolContext {
  /** The call's session id; "" when the call has none. */
  readonly sessionId: string;
  /** The call's request id. */
  readonly requestId: string;
  /** Aborts when the caller cancels or the deadline passes; pass it to fetch and timers. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the call's deadline. */
  timeRemainingMs(): number;
  /** Reports progress to a streaming caller (ignored for unary callers). */
  progress(fraction: number, message?: string): void;
  /** Runs another tool, whatever language serves it; rejects with its ConnectError. */
  callTool(name: string, args?: JsonObject, options?: NestedCallOptions): Promise<ToolResult>;
  /** Streams another tool's chunks (bytes chunks as Uint8Array). */
  streamTool(name: string, args?: JsonObject, options?: NestedCallOptions): AsyncIterable<JsonValue | Uint8Array>;
  /** A session variable; undefined when the session has none by that name. */
  getVariable(name: string): Promise<VariableView | undefined>;
  /** Creates or replaces a session variable. */
  setVariable(name: string, value: JsonValue | Uint8Array, options?: SetVariableOptions): Promise<VariableView>;
  /** Removes a session variable; false when there was none. */
  deleteVariable(name: string): Promise<boolean>;
  /** Every variable of the session. */
  listVariables(): Promise<VariableView[]>;
}

/** The arguments a tool's functions receive. */
export interface ToolCall<A extends JsonObject = JsonObject> {
  /** Keyword arguments, already checked against `parameters`. */
  args: A;
  /** The request's binary payload; empty when there is none. */
  payload: Uint8Array;
  /** Session, deadline, cancellation, nested calls and variables. */
  ctx: ToolContext;
}

/**
 * A TypeScript tool: a name, a description, a JSON Schema, and either `run` or `stream`. `run` and
 * `stream` are declared as methods so that a tool with typed arguments (defineTool<{ a: number }>)
 * fits where any tool is taken (createGateway({ tools }), createWorkersHandler({ tools })): the
 * gateway or runtime checks the arguments against `parameters` before it calls them.
 */
export interface ToolDefinition<A extends JsonObject = JsonObject> {
  /** Unique name: letters, digits and underscores, starting with a letter, at most 64 characters. */
  name: string;
  /** What the tool does, for people and for models. */
  description: string;
  /** JSON Schema (draft 2020-12) of the keyword arguments; from a schema library or written by hand. */
  parameters: JsonObject;
  /** JSON Schema of the result, when known. */
  result?: JsonObject;
  /** Runs a unary call: return a JSON value, or a ToolResult for a binary result. */
  run?(call: ToolCall<A>): Promise<JsonValue | ToolResult> | JsonValue | ToolResult;
  /** Runs a streaming call: yield JSON values or bytes; the return value is the final result. */
  stream?(call: ToolCall<A>): AsyncIterable<JsonValue | Uint8Array>;
}

const toolName = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Checks a TypeScript tool's definition and returns it frozen. Throws INVALID_ARGUMENT naming the
 * tool and what is wrong, so a bad definition fails at registration, not at its first call.
 */
export function defineTool<A extends JsonObject = JsonObject>(definition: ToolDefinition<A>): Readonly<ToolDefinition<A>> {
  const { name, run, stream, parameters } = definition;
  const fail = (why: string) => {
    throw toolError(Code.InvalidArgument, `tool '${String(name)}' is ill-defined: ${why}`, { tool: String(name) });
  };
  if (typeof name !== "string" || !toolName.test(name)) {
    fail("its name must be letters, digits and underscores, starting with a letter, at most 64 characters");
  }
  if (typeof definition.description !== "string") fail("its description must be a string");
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    fail("its parameters must be a JSON Schema object");
  }
  if ((run === undefined) === (stream === undefined)) fail("it must have exactly one of run and stream");
  return Object.freeze({ ...definition });
}
