import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import type { ToolCall, ToolContext, ToolDefinition } from "@toolbridge/proto";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { RunningCall } from "../bridge/running-call.js";
import { type CallCancel, createCallCancel } from "../call-cancel.js";
import { payloadBytes } from "../payload.js";
import { deadlineExceeded } from "../services/call-errors.js";
import { checkJson } from "./json-shape.js";
import type { Tool, ToolOutput, ToolSink } from "./tool.js";
import { mixedItems, payloadTooLarge, thrownError } from "./typescript-errors.js";

/** Options of createTypeScriptTool. */
export interface TypeScriptToolOptions {
  /** The context of one call: nested calls and variables, through the runtime's bridge. */
  contextOf(call: RunningCall, sink: ToolSink | undefined): ToolContext;
  /** Largest result, chunk or collected list. */
  maxMessageBytes: number;
}

type Output = Pick<ToolOutput, "value" | "payload">;

const emptyBytes = new Uint8Array(0);

/**
 * A Tool that runs a TypeScript definition (defineTool) in the runtime's process, with the behaviour of a Python
 * tool: its deadline and the client's cancel end the call at once and abort `ctx.signal`; a streaming tool's items
 * reach StreamTool as chunks and become a list (or joined bytes) for ExecuteTool; results must be JSON (or bytes)
 * within the message limit; what it throws reaches the caller with its code, name and stack.
 */
export function createTypeScriptTool(definition: Readonly<ToolDefinition>, options: TypeScriptToolOptions): Tool {
  const { name } = definition;
  const limit = options.maxMessageBytes;
  const type = (definition.parameters as { type?: unknown }).type;
  if (type !== undefined && type !== "object") {
    throw new Error(`tool "${name}" is ill-defined: its parameters must describe an object (type "object"): arguments are keyword arguments`);
  }
  const info = fromJson(ToolInfoSchema, {
    name,
    description: definition.description,
    parameters: definition.parameters,
    ...(definition.result === undefined ? {} : { result: definition.result }),
    streaming: definition.stream !== undefined,
    language: "typescript",
  });

  // A unary result: JSON, bytes, or a ToolResult (an object whose `payload` is bytes) with both.
  const outputOf = (result: unknown): Output => {
    if (result instanceof Uint8Array) return { value: null, payload: checkedBytes(result) };
    if (typeof result === "object" && result !== null && (result as { payload?: unknown }).payload instanceof Uint8Array) {
      const { value = null, payload } = result as { value?: JsonValue; payload: Uint8Array };
      checkJson(value, limit);
      return { value, payload: checkedBytes(payload) };
    }
    const value = result === undefined ? null : (result as JsonValue);
    checkJson(value, limit);
    return { value, payload: undefined };
  };
  const checkedBytes = (bytes: Uint8Array): Uint8Array => {
    if (bytes.byteLength > limit) throw payloadTooLarge(name, bytes.byteLength, limit);
    return bytes;
  };

  async function runStream(call: ToolCall, cancel: CallCancel, sink: ToolSink | undefined): Promise<Output> {
    const iterator = (definition.stream as NonNullable<ToolDefinition["stream"]>)(call)[Symbol.asyncIterator]();
    // Cancelling closes the generator before its next item (its finally blocks run).
    const unsubscribe = cancel.subscribe(() => void iterator.return?.()?.catch(() => {}));
    const items: (JsonValue | Uint8Array)[] = [];
    let collected = 0;
    try {
      for (;;) {
        const step = await iterator.next();
        if (cancel.reason !== undefined) throw cancel.reason;
        if (step.done === true) return sink === undefined ? collect(items) : outputOf(step.value);
        const item = step.value;
        if (sink !== undefined) {
          if (item instanceof Uint8Array) sink.chunk(null, checkedBytes(item));
          else {
            checkJson(item, limit);
            sink.chunk(item, undefined);
          }
          continue;
        }
        collected += item instanceof Uint8Array ? item.byteLength : checkJson(item, limit);
        if (collected > limit) throw payloadTooLarge(name, collected, limit);
        items.push(item);
      }
    } finally {
      unsubscribe();
    }
  }

  // A streaming tool called unary: its items as a list, or its bytes joined into one binary result.
  const collect = (items: (JsonValue | Uint8Array)[]): Output => {
    const bytes = items.filter((i) => i instanceof Uint8Array);
    if (bytes.length === 0) return { value: items as JsonValue[], payload: undefined };
    if (bytes.length !== items.length) throw mixedItems(name);
    return { value: null, payload: Buffer.concat(bytes as Uint8Array[]) };
  };

  return {
    info,
    async invoke(invocation, sink) {
      const started = performance.now();
      const { timeoutMs } = invocation;
      // The call's own cancellation: the client's, and its deadline (which the runner leaves to the tool).
      const stop = createCallCancel();
      const unsubscribe = invocation.cancel.subscribe(stop.cancel);
      const timer = setTimeout(() => stop.cancel(deadlineExceeded(name, timeoutMs)), timeoutMs);
      const running: RunningCall = {
        grant: invocation.grant,
        cancel: stop.token,
        requestId: invocation.requestId,
        deadline: started + timeoutMs,
      };
      const streamSink = invocation.stream ? sink : undefined;
      const call: ToolCall = {
        args: invocation.args,
        payload: invocation.payload === undefined ? emptyBytes : payloadBytes(invocation.payload),
        ctx: options.contextOf(running, sink),
      };
      try {
        const work =
          definition.run !== undefined
            ? Promise.resolve(definition.run(call)).then(outputOf)
            : runStream(call, stop.token, streamSink);
        const output = await untilCancelled(work, stop.token);
        return { ...output, queueMs: 0, runMs: performance.now() - started };
      } catch (e) {
        // A cancellation ends the call with its own reason, whatever the tool made of it.
        throw stop.token.reason ?? thrownError(e, name);
      } finally {
        clearTimeout(timer);
        unsubscribe();
      }
    },
  };
}

// Settles with `work`, or rejects with the cancel's reason as soon as it fires: a tool that ignores its signal
// does not hold its caller (its promise is left to settle on its own).
function untilCancelled<T>(work: Promise<T>, cancel: CallCancel): Promise<T> {
  if (cancel.reason !== undefined) {
    work.catch(() => {});
    return Promise.reject(cancel.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = cancel.subscribe((reason) => {
      work.catch(() => {});
      reject(reason);
    });
    work.then(
      (value) => {
        unsubscribe();
        resolve(value);
      },
      (error) => {
        unsubscribe();
        reject(error);
      },
    );
  });
}
