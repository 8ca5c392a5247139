import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createFrameWriter } from "./frame-writer.js";

// A stdin stand-in that records each write the stream makes (one entry per write or writev).
function recordingStream() {
  const writes: number[] = [];
  let wrote: (() => void) | undefined;
  const record = (n: number) => {
    writes.push(n);
    wrote?.();
  };
  const stream = new Writable({
    write(_chunk, _encoding, done) {
      record(1);
      done();
    },
    writev(chunks, done) {
      record(chunks.length);
      done();
    },
  });
  const nextWrite = () => new Promise<void>((resolve) => (wrote = resolve));
  return { stream, writes, nextWrite };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("FrameWriter", () => {
  it("sends urgent frames of one turn together at its end", async () => {
    const { stream, writes } = recordingStream();
    const writer = createFrameWriter(stream);
    writer.send({ t: "call", id: 1 }, undefined, true);
    writer.send({ t: "call", id: 2 }, Buffer.from("body"), true);
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual([3]);
  });

  it("holds frames for a busy worker until it answers", async () => {
    const { stream, writes } = recordingStream();
    const writer = createFrameWriter(stream, 10_000);
    writer.send({ t: "call", id: 1 }, undefined, false);
    writer.send({ t: "call", id: 2 }, undefined, false);
    await turn();
    expect(writes).toEqual([]);
    expect(writer.waiting).toBe(2);
    writer.flush();
    expect(writes).toEqual([2]);
    expect(writer.waiting).toBe(0);
  });

  it("sends held frames after at most the delay", async () => {
    const { stream, writes, nextWrite } = recordingStream();
    const writer = createFrameWriter(stream, 5);
    const written = nextWrite();
    writer.send({ t: "call", id: 1 }, undefined, false);
    await turn();
    expect(writes).toEqual([]);
    await written;
    expect(writes).toEqual([1]);
  });

  it("lets an urgent frame take the held ones along", async () => {
    const { stream, writes } = recordingStream();
    const writer = createFrameWriter(stream, 10_000);
    writer.send({ t: "call", id: 1 }, undefined, false);
    writer.send({ t: "cancel", id: 1 }, undefined, true);
    await turn();
    expect(writes).toEqual([2]);
  });
});
