import { Code, ConnectError } from "@connectrpc/connect";
import { errorInfoOf } from "@toolbridge/proto";
import { createCallCancel } from "../call-cancel.js";
import type { FrameHeader } from "./frame.js";
import type { CallbackHandler, CallbackResponder, WorkerCall } from "./worker-interface.js";

/** The callbacks in flight on one worker: each `callback` frame gets exactly one `reply`. */
export interface WorkerCallbacks {
  /** A `callback` frame from call `call` (undefined when that call has already ended). */
  start(header: FrameHeader, body: Buffer, call: WorkerCall | undefined): void;
  /** A `callback_cancel` frame: the tool no longer wants the answer. */
  cancel(cid: number): void;
  /** Call `callId` ended: its unanswered callbacks end too. */
  endCall(callId: number): void;
  /** The worker is gone: every callback ends. */
  endAll(): void;
  /** A `callback` frame whose body was over the message limit (and was skipped). */
  refuseOversized(cid: number, bodyLength: number): void;
}

/** Routes a worker's callbacks to `handler` and their answers back through `send`. */
export function createWorkerCallbacks(
  handler: CallbackHandler,
  send: (header: object, body?: Uint8Array) => void,
): WorkerCallbacks {
  const open = new Map<number, { call: number; cancel(): void }>();
  const fail = (cid: number, error: ConnectError) => send({ t: "reply", cid, error: errorJson(error) });

  return {
    start(header, body, call) {
      const cid = header.cid as number;
      if (call === undefined) {
        fail(cid, new ConnectError("the call of this callback has ended", Code.Canceled));
        return;
      }
      const abort = createCallCancel();
      let answered = false;
      const finish = () => {
        answered = true;
        open.delete(cid);
      };
      const responder: CallbackResponder = {
        cancel: abort.token,
        chunk(value, chunkBody) {
          if (answered) return;
          if (chunkBody !== undefined) send({ t: "reply_chunk", cid, binary: true, value: null }, chunkBody);
          else send({ t: "reply_chunk", cid, value });
        },
        reply(value, replyBody) {
          if (answered) return;
          finish();
          // A binary reply keeps its value: a bytes variable's Variable, or the JSON half of a Result.
          if (replyBody !== undefined) send({ t: "reply", cid, binary: true, value }, replyBody);
          else send({ t: "reply", cid, value });
        },
        fail(error) {
          if (answered) return;
          finish();
          fail(cid, error);
        },
      };
      open.set(cid, {
        call: header.call as number,
        cancel() {
          const reason = new ConnectError("the tool cancelled the callback", Code.Canceled);
          responder.fail(reason);
          abort.cancel(reason);
        },
      });
      const params = typeof header.params === "object" && header.params !== null ? header.params : {};
      try {
        const binary = header.binary === true;
        handler({ op: String(header.op), params: params as Record<string, unknown>, body: binary ? body : undefined, call }, responder);
      } catch (e) {
        responder.fail(ConnectError.from(e));
      }
    },
    cancel(cid) {
      open.get(cid)?.cancel();
    },
    endCall(callId) {
      if (open.size === 0) return;
      for (const state of [...open.values()]) if (state.call === callId) state.cancel();
    },
    endAll() {
      for (const state of [...open.values()]) state.cancel();
    },
    refuseOversized(cid, bodyLength) {
      fail(cid, new ConnectError(`callback body of ${bodyLength} bytes is over the message limit`, Code.ResourceExhausted));
    },
  };
}

function errorJson(error: ConnectError): Record<string, string> {
  const { code, message, type, traceback, field } = errorInfoOf(error);
  const json: Record<string, string> = { code, message };
  if (type !== "") json.type = type;
  if (traceback !== "") json.traceback = traceback;
  if (field !== "") json.field = field;
  return json;
}
