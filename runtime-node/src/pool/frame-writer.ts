import type { Writable } from "node:stream";
import type { Payload } from "../payload.js";
import { encodeFrame } from "./frame.js";

/**
 * Writes frames to a worker in batches. A write wakes the worker up, which on a busy machine costs far more
 * than the bytes; so frames wait a little and go out together in one writev:
 * - to an idle worker, at the end of the current event-loop turn (every call that arrived in it goes along);
 * - to a busy one, until it is about to run out of work (the worker calls `flush` as its answers come in),
 *   and no longer than `maxDelayMs`, so that a worker busy with long calls still gets new ones at once.
 */
export interface FrameWriter {
  /** Queues a frame; `urgent` sends it at the end of this turn whatever the worker is doing. */
  send(header: object, body: Payload | undefined, urgent: boolean): void;
  /** Writes what waits now. */
  flush(): void;
  /** Frames waiting to be written. */
  readonly waiting: number;
}

/** A FrameWriter on a worker's stdin. */
export function createFrameWriter(stdin: Writable, maxDelayMs = 1): FrameWriter {
  let corked = false;
  let waiting = 0;
  let immediate: NodeJS.Immediate | undefined;
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    if (!corked) return;
    corked = false;
    waiting = 0;
    if (immediate !== undefined) clearImmediate(immediate);
    if (timer !== undefined) clearTimeout(timer);
    immediate = undefined;
    timer = undefined;
    stdin.uncork();
  }

  return {
    send(header, body, urgent) {
      if (stdin.destroyed || stdin.writableEnded) return;
      const parts = encodeFrame(header, body);
      if (!corked) {
        corked = true;
        stdin.cork();
      }
      for (const part of parts) stdin.write(part);
      waiting++;
      if (urgent) immediate ??= setImmediate(flush);
      else timer ??= setTimeout(flush, maxDelayMs);
    },
    flush,
    get waiting() {
      return waiting;
    },
  };
}
