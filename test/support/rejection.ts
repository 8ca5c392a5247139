import { ConnectError } from "@connectrpc/connect";

/** The ConnectError a call rejects with; fails the test when the call succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail, but it succeeded");
}
