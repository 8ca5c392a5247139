import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { cancelFromSignal, createCallCancel } from "./call-cancel.js";

const gone = new ConnectError("gone", Code.Canceled);

describe("CallCancel", () => {
  it("tells every subscriber once, with the reason", () => {
    const source = createCallCancel();
    const heard: ConnectError[] = [];
    source.token.subscribe((r) => heard.push(r));
    source.token.subscribe((r) => heard.push(r));
    source.cancel(gone);
    source.cancel(new ConnectError("later", Code.Unavailable));
    expect(heard).toEqual([gone, gone]);
    expect(source.token.reason).toBe(gone);
  });

  it("forgets a subscriber that unsubscribed", () => {
    const source = createCallCancel();
    let heard = 0;
    const unsubscribe = source.token.subscribe(() => heard++);
    unsubscribe();
    source.cancel(gone);
    expect(heard).toBe(0);
  });

  it("gives an AbortSignal that aborts with the reason, made before or after", () => {
    const source = createCallCancel();
    const early = source.token.signal;
    source.cancel(gone);
    expect(early.aborted).toBe(true);
    expect(early.reason).toBe(gone);
    const late = createCallCancel();
    late.cancel(gone);
    expect(late.token.signal.reason).toBe(gone);
  });

  it("follows an AbortSignal, mapping its reason", () => {
    const controller = new AbortController();
    const token = cancelFromSignal(controller.signal, () => gone);
    const heard: ConnectError[] = [];
    token.subscribe((r) => heard.push(r));
    controller.abort();
    expect(heard).toEqual([gone]);
    const already = new AbortController();
    already.abort();
    expect(cancelFromSignal(already.signal, () => gone).reason).toBe(gone);
  });
});
