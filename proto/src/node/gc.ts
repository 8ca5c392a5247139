import { setFlagsFromString } from "node:v8";

/**
 * Turns off V8's incremental marking in this process, unless its command line asks for it (`node
 * --incremental-marking ...`); true when it did. The servers' heaps stay small (10 to 20 MB), but a large message
 * allocates tens of MB of buffers outside the heap, and V8 answers that external memory by starting incremental
 * marking on almost every such call; its steps and write barriers cost more than one short full collection of a
 * small heap. On a 10 MiB round trip through the runtime: p50 27-30 ms -> 17-21 ms (bench/PROFILE.md, section 8).
 * The price: without incremental marking V8 does not shrink an idle heap, so after a burst of large messages the
 * process keeps their memory until its next collection.
 */
export function preferFullCollections(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((flag) => /^--incremental[-_]marking$/.test(flag))) return false;
  setFlagsFromString("--no-incremental-marking");
  return true;
}
