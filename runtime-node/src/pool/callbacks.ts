import { Code, ConnectError } from "@connectrpc/connect";
import type { CallbackHandler } from "./worker-interface.js";

/** The default callback handler: every callback gets an `unimplemented` error until the runtime serves them. */
export function createUnsupportedCallbacks(): CallbackHandler {
  return (request, responder) =>
    responder.fail(new ConnectError(`callback "${request.op}" is not supported by this runtime yet`, Code.Unimplemented));
}
