import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createCallContexts } from "./call-context.js";
import { type CallGrant, createAdmit } from "./call-grant.js";

const contexts = createCallContexts({ key: "grant-test-key-0123456789", ttlMs: 600_000 });
const admit = createAdmit({ contexts, maxDepth: 3 });

function refusal(run: () => unknown): ConnectError {
  try {
    run();
  } catch (e) {
    return ConnectError.from(e);
  }
  throw new Error("expected a refusal");
}

const session = { kind: "session" as const, context: { org: "acme", tools: ["a", "b"], sid: "s1", chain: [], depth: 0 } };

describe("admit", () => {
  it("gives a runtime-key call without a context a chain of its own tool and no header", () => {
    const grant = admit({ kind: "key" }, "a", "s1");
    expect([grant.chain, grant.context, grant.header(), grant.nested]).toEqual([["a"], undefined, undefined, false]);
  });

  it("forwards the gateway's header unchanged when its chain ends with the tool", () => {
    const context = { org: "acme", tools: "*" as const, sid: "s1", chain: ["x", "a"], depth: 2 };
    const grant = admit({ kind: "key", context, header: "the-header" }, "a", "s1");
    expect([grant.header(), grant.nested, grant.chain]).toEqual(["the-header", true, ["x", "a"]]);
  });

  it("holds a session token to its session and tools, and mints a header with its rights", () => {
    expect(refusal(() => admit(session, "a", "s2")).code).toBe(Code.PermissionDenied);
    expect(refusal(() => admit(session, "a", "")).code).toBe(Code.PermissionDenied);
    expect(refusal(() => admit(session, "c", "s1")).rawMessage).toBe("the key of org 'acme' may not call tool 'c'");
    const grant = admit(session, "a", "s1");
    expect(contexts.verifyHeader(grant.header() as string)).toEqual({ org: "acme", tools: ["a", "b"], sid: "s1", chain: ["a"], depth: 1 });
  });

  it("extends the chain of nested calls, in the parent's session, and mints their header", () => {
    const parent = admit(session, "a", "s1");
    const child = admit({ kind: "nested", parent }, "b", "ignored");
    expect([child.sessionId, child.chain, child.nested]).toEqual(["s1", ["a", "b"], true]);
    expect(contexts.verifyHeader(child.header() as string).chain).toEqual(["a", "b"]);
  });

  it("refuses a nested call outside the allowlist, a cycle, and a chain past the depth", () => {
    const parent = admit(session, "a", "s1");
    expect(refusal(() => admit({ kind: "nested", parent }, "c", "s1")).code).toBe(Code.PermissionDenied);
    const cycle = refusal(() => admit({ kind: "nested", parent: admit({ kind: "nested", parent }, "b", "s1") }, "a", "s1"));
    expect([cycle.code, cycle.rawMessage]).toEqual([Code.FailedPrecondition, "call cycle: a -> b -> a"]);
    let grant: CallGrant = admit({ kind: "key" }, "t0", "");
    for (const tool of ["t1", "t2"]) grant = admit({ kind: "nested", parent: grant }, tool, "");
    const deep = refusal(() => admit({ kind: "nested", parent: grant }, "t3", ""));
    expect([deep.code, deep.rawMessage]).toEqual([Code.ResourceExhausted, "nested calls deeper than 3: t0 -> t1 -> t2 -> t3"]);
  });
});
