import type { CallGrant } from "../auth/call-grant.js";
import type { CallCancel } from "../call-cancel.js";

/** A call in progress as its callbacks and nested calls see it. */
export interface RunningCall {
  /** What it may do: session, allowlist, chain, the header for the gateway. */
  readonly grant: CallGrant;
  /** Its cancellation: a callback or nested call ends with it. */
  readonly cancel: CallCancel;
  /** Its request id. */
  readonly requestId: string;
  /** When its time is up, on the performance.now() clock; callbacks get what is left. */
  readonly deadline: number;
}

/** Milliseconds the call has left (at least 0). */
export function remainingMs(call: RunningCall): number {
  return Math.max(0, call.deadline - performance.now());
}
