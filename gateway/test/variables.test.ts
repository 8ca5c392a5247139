import { Code } from "@connectrpc/connect";
import { WatchVariablesResponse_Kind as Kind, type WatchVariablesResponse } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, keys, protocols, rejection, startHarness } from "./support/harness.js";
import { useStoreKinds } from "./support/stores.js";
import { valueOf, write } from "./support/values.js";

const kinds = useStoreKinds();

/** The next `count` messages of a stream, failing if they do not come within 5 s. */
async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const items: T[] = [];
  while (items.length < count) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("no message within 5 s")), 5000)));
    const next = await Promise.race([iterator.next(), timeout]).finally(() => clearTimeout(timer));
    if (next.done) throw new Error(`the stream ended after ${items.length} messages`);
    items.push(next.value);
  }
  return items;
}

describe.each(kinds)("VariableService on the $name store", (kind) => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({ store: await kind.open() });
    await harness.clients(keys.acme).sessions.initializeSession({ sessionId: "s-1" });
  });

  afterEach(async () => {
    await harness.close();
  });

  const vars = () => harness.clients(keys.acme).variables;

  it.each(protocols)("sets and gets typed values over %s", async (protocol) => {
    const client = harness.clients(keys.acme, protocol).variables;
    const set = await client.setVariable({ sessionId: "s-1", write: write("config", "object", { depth: 2, tags: ["a"] }) });
    expect(set.variable).toMatchObject({ name: "config", version: 1 });
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await client.setVariable({ sessionId: "s-1", write: write("blob", "bytes", bytes) });
    expect(valueOf((await client.getVariable({ sessionId: "s-1", name: "config" })).variable)).toEqual({ depth: 2, tags: ["a"] });
    expect(valueOf((await client.getVariable({ sessionId: "s-1", name: "blob" })).variable)).toEqual(bytes);
    expect((await client.getVariable({ sessionId: "s-1", name: "absent" })).variable).toBeUndefined();
  });

  it("enforces the declared type on every write", async () => {
    await vars().setVariable({ sessionId: "s-1", write: write("n", "integer", 1) });
    const error = await rejection(vars().setVariable({ sessionId: "s-1", write: write("n", "integer", "two") }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/declared integer/);
    const missing = await rejection(vars().setVariable({ sessionId: "s-1" }));
    expect(missing.code).toBe(Code.InvalidArgument);
  });

  it("refuses a stale expected_version with ABORTED and changes nothing", async () => {
    await vars().setVariable({ sessionId: "s-1", write: write("n", "integer", 1) });
    await vars().setVariable({ sessionId: "s-1", write: write("n", "integer", 2, 1) });
    const error = await rejection(vars().setVariable({ sessionId: "s-1", write: write("n", "integer", 3, 1) }));
    expect(error.code).toBe(Code.Aborted);
    const { variable } = await vars().getVariable({ sessionId: "s-1", name: "n" });
    expect([valueOf(variable), variable?.version]).toEqual([2, 2]);
  });

  it("deletes, lists and reads several at once", async () => {
    await vars().updateVariables({ sessionId: "s-1", writes: [write("b", "string", "B"), write("a", "string", "A"), write("c", "boolean", true)] });
    expect((await vars().deleteVariable({ sessionId: "s-1", name: "c" })).deleted).toBe(true);
    expect((await vars().deleteVariable({ sessionId: "s-1", name: "c" })).deleted).toBe(false);
    expect((await vars().listVariables({ sessionId: "s-1" })).variables.map((v) => v.name)).toEqual(["a", "b"]);
    const many = await vars().getVariables({ sessionId: "s-1", names: ["b", "zz", "a"] });
    expect(many.variables.map((v) => valueOf(v))).toEqual(["B", "A"]);
    expect(many.missing).toEqual(["zz"]);
  });

  it("applies UpdateVariables all or nothing", async () => {
    await vars().setVariable({ sessionId: "s-1", write: write("n", "integer", 1) });
    const error = await rejection(
      vars().updateVariables({ sessionId: "s-1", writes: [write("m", "string", "new"), write("n", "integer", "bad")], deletes: [] }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect((await vars().listVariables({ sessionId: "s-1" })).variables.map((v) => [v.name, valueOf(v)])).toEqual([["n", 1]]);
    const done = await vars().updateVariables({ sessionId: "s-1", writes: [write("m", "string", "new")], deletes: ["n"] });
    expect(done.variables.map((v) => v.name)).toEqual(["m"]);
    expect((await vars().listVariables({ sessionId: "s-1" })).variables.map((v) => v.name)).toEqual(["m"]);
  });

  it.each(protocols)("streams every change in order to a watcher over %s", async (protocol) => {
    await vars().setVariable({ sessionId: "s-1", write: write("a", "integer", 1) });
    const controller = new AbortController();
    const client = harness.clients(keys.acme, protocol).variables;
    const stream = client.watchVariables({ sessionId: "s-1", names: ["a"], includeInitial: true }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    const [initial] = await take(iterator, 1);
    expect([initial.kind, valueOf(initial.variable)]).toEqual([Kind.INITIAL, 1]);
    await vars().setVariable({ sessionId: "s-1", write: write("other", "integer", 9) });
    await vars().setVariable({ sessionId: "s-1", write: write("a", "integer", 2) });
    await vars().deleteVariable({ sessionId: "s-1", name: "a" });
    const changes: WatchVariablesResponse[] = await take(iterator, 2);
    expect(changes.map((c) => [c.kind, c.variable?.name, valueOf(c.variable)])).toEqual([
      [Kind.SET, "a", 2],
      [Kind.DELETE, "a", 2],
    ]);
    expect(changes[1].sequence).toBeGreaterThan(changes[0].sequence);
    controller.abort();
  });

  it("ends a watch when the session is cleaned up", async () => {
    await vars().setVariable({ sessionId: "s-1", write: write("a", "integer", 1) });
    const iterator = vars().watchVariables({ sessionId: "s-1", includeInitial: true })[Symbol.asyncIterator]();
    await take(iterator, 1);
    const first = iterator.next();
    await harness.clients(keys.acme).sessions.cleanupSession({ sessionId: "s-1" });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([first, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("watch did not end")), 5000)))]);
    clearTimeout(timer);
    expect(result).toMatchObject({ done: true });
  });

  it("keeps another org out of the session's variables", async () => {
    await vars().setVariable({ sessionId: "s-1", write: write("secret", "string", "acme only") });
    const beta = harness.clients(keys.beta).variables;
    for (const attempt of [
      beta.getVariable({ sessionId: "s-1", name: "secret" }),
      beta.getVariables({ sessionId: "s-1", names: ["secret"] }),
      beta.deleteVariable({ sessionId: "s-1", name: "secret" }),
      beta.updateVariables({ sessionId: "s-1", writes: [write("x", "integer", 1)] }),
    ]) {
      expect((await rejection(attempt)).code).toBe(Code.NotFound);
    }
    const watch = await rejection(
      (async () => {
        for await (const _ of beta.watchVariables({ sessionId: "s-1" }));
      })(),
    );
    expect(watch.code).toBe(Code.NotFound);
    expect((await vars().listVariables({ sessionId: "s-1" })).variables.map((v) => valueOf(v))).toEqual(["acme only"]);
  });
});
