import { describe, expect, it } from "vitest";
import { createEventChannel } from "./event-channel.js";

describe("event channel", () => {
  it("delivers items in order, then ends", async () => {
    const channel = createEventChannel<number>(4);
    await channel.send(1);
    await channel.send(2);
    channel.close();
    expect([await channel.next(), await channel.next(), await channel.next()]).toEqual([
      { done: false, value: 1 },
      { done: false, value: 2 },
      { done: true, value: undefined },
    ]);
  });

  it("makes a sender wait while the queue is full, until the reader takes one", async () => {
    const channel = createEventChannel<number>(2);
    await channel.send(1);
    let third = false;
    const second = channel.send(2).then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    expect(await channel.next()).toEqual({ done: false, value: 1 });
    await second;
    expect(third).toBe(true);
  });

  it("keeps only the latest of consecutive unread progress reports, in place", async () => {
    const channel = createEventChannel<string>(4);
    await channel.send("chunk 1");
    channel.report("progress 10%");
    channel.report("progress 20%");
    await channel.send("chunk 2");
    channel.report("progress 30%");
    channel.close();
    const seen: string[] = [];
    for (let next = await channel.next(); !next.done; next = await channel.next()) seen.push(next.value);
    expect(seen).toEqual(["chunk 1", "progress 20%", "chunk 2", "progress 30%"]);
  });

  it("wakes a waiting reader, and fails it after the queued items", async () => {
    const channel = createEventChannel<number>();
    const waiting = channel.next();
    await channel.send(7);
    expect(await waiting).toEqual({ done: false, value: 7 });
    await channel.send(8);
    channel.fail(new Error("broken"));
    expect(await channel.next()).toEqual({ done: false, value: 8 });
    await expect(channel.next()).rejects.toThrow("broken");
  });
});
