import { Code, ConnectError } from "@connectrpc/connect";
import { toolCancelled, toolDeadlineExceeded } from "./errors.js";

/** The cancellation of one gateway tool call: its caller's, and its deadline's. */
export interface CallSignal {
  /** Aborts with a ConnectError (DEADLINE_EXCEEDED or CANCELED, naming the tool) when the call must end. */
  readonly signal: AbortSignal;
  /** When the call's deadline passes (ms since the epoch). */
  readonly deadline: number;
  /** A promise that rejects with the abort reason; pass it to Promise.race beside the tool's work. */
  readonly aborted: Promise<never>;
  /** Aborts the signal with this reason (the consumer of a stream left), unless it aborted already. */
  end(reason: unknown): void;
  /** Stops the timer and the listener; the signal stays as it is. */
  dispose(): void;
}

/**
 * A CallSignal ending at `timeoutMs` from now or when `caller` aborts, whichever comes first. Made
 * per call and disposed with it: nothing outlives the request (workerd ties signals and timers to
 * the request that made them).
 */
export function createCallSignal(tool: string, timeoutMs: number, caller: AbortSignal | undefined): CallSignal {
  const controller = new AbortController();
  const deadline = Date.now() + timeoutMs;
  const onCallerAbort = () => controller.abort(callerReason(tool, caller?.reason, timeoutMs));
  const timer = setTimeout(() => controller.abort(toolDeadlineExceeded(tool, timeoutMs)), timeoutMs);
  if (caller?.aborted) onCallerAbort();
  else caller?.addEventListener("abort", onCallerAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(controller.signal.reason);
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener("abort", fail, { once: true });
  });
  // Nobody need ever await it: a call that ends first must not leave an unhandled rejection behind.
  aborted.catch(() => {});
  return {
    signal: controller.signal,
    deadline,
    aborted,
    end(reason) {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onCallerAbort);
    },
  };
}

// The caller's own reason says "the operation timed out" or nothing; name the tool instead.
function callerReason(tool: string, reason: unknown, timeoutMs: number): ConnectError {
  const error = ConnectError.from(reason);
  if (error.code === Code.DeadlineExceeded) return toolDeadlineExceeded(tool, timeoutMs);
  if (error.code === Code.Canceled) return toolCancelled(tool);
  return error;
}
