// Failures of a tool call decided by the runtime itself, before or around running the tool (a batch's own are
// with the batch runner the gateway shares, proto/src/batch.ts).
import { Code, ConnectError } from "@connectrpc/connect";
import { toolError } from "@toolbridge/proto";

/** No tool of that name on this runtime. */
export function toolNotFound(tool: string): ConnectError {
  const what = tool === "" ? "the request names no tool" : `no tool named "${tool}" on this runtime`;
  return toolError(Code.NotFound, `${what}; ListTools lists the tools it serves`, { tool, field: "/tool" });
}

/** A request payload over the message limit. */
export function payloadTooLarge(tool: string, bytes: number, maxBytes: number): ConnectError {
  return toolError(Code.ResourceExhausted, `the payload is ${bytes} bytes, over the ${maxBytes}-byte message limit`, {
    tool,
    field: "/payload",
  });
}

/** A call that arrives while the runtime drains. */
export function draining(): ConnectError {
  return new ConnectError("the runtime is shutting down; retry the call on another runtime", Code.Unavailable);
}

/** A call that ran out of time, with the budget it had. */
export function deadlineExceeded(tool: string, timeoutMs: number): ConnectError {
  return toolError(Code.DeadlineExceeded, `tool "${tool}" did not finish within its deadline of ${timeoutMs} ms`, {
    tool,
  });
}

/** A call the client cancelled. */
export function canceled(tool: string): ConnectError {
  return toolError(Code.Canceled, `the client cancelled the call of tool "${tool}"`, { tool });
}

/** A stream whose client stopped reading before it ended. */
export function clientLeft(): ConnectError {
  return new ConnectError("the client stopped reading the stream", Code.Canceled);
}

/** A stream whose client reads more slowly than the tool yields, past the buffer limit. */
export function streamBacklog(tool: string, events: number): ConnectError {
  return toolError(
    Code.ResourceExhausted,
    `tool "${tool}" yielded ${events} events more than the client has read; the stream was stopped`,
    { tool },
  );
}
