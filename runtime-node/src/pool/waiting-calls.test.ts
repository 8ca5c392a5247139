import { describe, expect, it } from "vitest";
import { createWaitingCalls } from "./waiting-calls.js";

interface Item {
  n: number;
  waiting: boolean;
}

describe("WaitingCalls", () => {
  it("hands calls out first in, first out, skipping those that left", () => {
    const calls = createWaitingCalls<Item>((i) => i.waiting);
    const items = [1, 2, 3].map((n) => ({ n, waiting: true }));
    for (const i of items) calls.push(i);
    items[1].waiting = false;
    calls.leave();
    expect(calls.size).toBe(2);
    expect(calls.shift()?.n).toBe(1);
    expect(calls.shift()?.n).toBe(3);
    expect(calls.shift()).toBeUndefined();
    expect(calls.size).toBe(0);
  });

  it("keeps order across many calls (and its compaction)", () => {
    const calls = createWaitingCalls<Item>((i) => i.waiting);
    const out: number[] = [];
    for (let n = 0; n < 5000; n++) {
      calls.push({ n, waiting: true });
      if (n % 3 === 2) out.push((calls.shift() as Item).n);
    }
    while (calls.size > 0) out.push((calls.shift() as Item).n);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, n) => n));
  });

  it("gives up every waiting call at once", () => {
    const calls = createWaitingCalls<Item>((i) => i.waiting);
    const left = { n: 1, waiting: false };
    calls.push(left);
    calls.push({ n: 2, waiting: true });
    expect(calls.takeAll().map((i) => i.n)).toEqual([2]);
    expect(calls.size).toBe(0);
  });
});
