import { Code } from "@connectrpc/connect";
import { toolError } from "@toolbridge/proto";
import { describe, expect, it } from "vitest";
import { createWorkerCallbacks } from "./worker-callbacks.js";
import type { CallbackRequest, CallbackResponder, WorkerCall } from "./worker-interface.js";

const call: WorkerCall = { tool: "t", args: {}, payload: undefined, session: "s", request: "r", timeoutMs: null, stream: false };

// The frames a handler's answers become (python/PROTOCOL.md, Callbacks).
function harness() {
  const sent: { header: Record<string, unknown>; body?: Uint8Array }[] = [];
  let last: { request: CallbackRequest; responder: CallbackResponder } | undefined;
  const callbacks = createWorkerCallbacks(
    (request, responder) => {
      last = { request, responder };
    },
    (header, body) => sent.push({ header: header as Record<string, unknown>, body }),
  );
  const open = (header: Record<string, unknown>, body = Buffer.alloc(0)) => {
    callbacks.start({ t: "callback", cid: 5, call: 17, op: "get_variable", params: {}, ...header }, body, call);
    return last as NonNullable<typeof last>;
  };
  return { callbacks, sent, open };
}

describe("worker callbacks", () => {
  it("hands the body to the handler only when the frame says binary, even an empty one", () => {
    const { open } = harness();
    expect(open({}, Buffer.from("x")).request.body).toBeUndefined();
    expect(open({ binary: true }).request.body).toEqual(Buffer.alloc(0));
  });

  it("keeps the value of a binary reply beside its body, and sends binary chunks", () => {
    const { open, sent } = harness();
    const { responder } = open({ op: "stream_tool" });
    responder.chunk(1);
    responder.chunk(null, new Uint8Array([7]));
    responder.reply({ name: "v", type: "VARIABLE_TYPE_BYTES" }, new Uint8Array([1, 2]));
    expect(sent.map((s) => s.header)).toEqual([
      { t: "reply_chunk", cid: 5, value: 1 },
      { t: "reply_chunk", cid: 5, binary: true, value: null },
      { t: "reply", cid: 5, binary: true, value: { name: "v", type: "VARIABLE_TYPE_BYTES" } },
    ]);
    expect([...(sent[2].body ?? [])]).toEqual([1, 2]);
  });

  it("answers once: a failure carries code, message, type, traceback and field", () => {
    const { open, sent } = harness();
    const { responder } = open({});
    responder.fail(toolError(Code.InvalidArgument, "bad", { type: "InvalidArguments", field: "/a" }));
    responder.reply("late");
    expect(sent).toEqual([{ header: { t: "reply", cid: 5, error: { code: "invalid_argument", message: "bad", type: "InvalidArguments", field: "/a" } }, body: undefined }]);
  });

  it("cancels a callback the worker gave up on, answering it CANCELED", () => {
    const { open, sent, callbacks } = harness();
    const { responder } = open({});
    callbacks.cancel(5);
    expect(responder.cancel.reason?.code).toBe(Code.Canceled);
    expect(sent[0].header).toMatchObject({ t: "reply", cid: 5, error: { code: "canceled" } });
  });
});
