// Failures of TypeScript tools as callers see them: what a tool threw, or returned that cannot travel. The one
// place where they become Connect codes with an ErrorInfo (the JS error's name as `type`, its stack as `traceback`).
import { Code, ConnectError } from "@connectrpc/connect";
import { toolError } from "@toolbridge/proto";
import { ErrorInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { NotJsonError } from "./json-shape.js";

// As for Python tools: messages under 8 KiB, stacks under 64 KiB (their end kept).
const maxMessage = 8 * 1024;
const maxStack = 64 * 1024;

/**
 * The error a TypeScript tool's call ends with, from what it threw. A ConnectError keeps its code (and its
 * ErrorInfo when it has one, e.g. from a nested call); anything else is INTERNAL with the error's name and stack.
 */
export function thrownError(thrown: unknown, tool: string): ConnectError {
  if (thrown instanceof ConnectError) {
    if (thrown.findDetails(ErrorInfoSchema).length > 0) return thrown;
    return toolError(thrown.code, thrown.rawMessage, { type: thrown.name, traceback: stackOf(thrown), tool });
  }
  if (thrown instanceof NotJsonError) return badOutput(thrown, tool);
  if (thrown instanceof Error) {
    const message = (thrown.message || thrown.name).slice(0, maxMessage);
    return toolError(Code.Internal, message, { type: thrown.name, traceback: stackOf(thrown), tool });
  }
  return toolError(Code.Internal, `tool "${tool}" threw ${describe(thrown)}`, { type: typeof thrown, tool });
}

/** What a tool returned or yielded that cannot travel: INTERNAL when it is not JSON, RESOURCE_EXHAUSTED when too large. */
export function badOutput(error: NotJsonError, tool: string): ConnectError {
  if (error.tooLarge) return toolError(Code.ResourceExhausted, `the result of tool "${tool}": ${error.message}`, { tool });
  return toolError(Code.Internal, `tool "${tool}" returned something that is not JSON: ${error.message}`, {
    type: "TypeError",
    tool,
  });
}

/** A binary result or chunk over the message limit. */
export function payloadTooLarge(tool: string, bytes: number, limit: number): ConnectError {
  return toolError(Code.ResourceExhausted, `the result of tool "${tool}" is ${bytes} bytes, over the ${limit}-byte message limit`, { tool });
}

/** A streaming tool called unary that yielded both bytes and JSON: its items cannot become one result. */
export function mixedItems(tool: string): ConnectError {
  return toolError(
    Code.Internal,
    `tool "${tool}" yielded both bytes and JSON values; called unary, its items must be all bytes (joined) or all JSON (a list)`,
    { type: "TypeError", tool },
  );
}

function stackOf(error: Error): string {
  const stack = error.stack ?? "";
  return stack.length > maxStack ? stack.slice(-maxStack) : stack;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
