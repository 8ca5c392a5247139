import type { IncomingMessage, ServerResponse } from "node:http";

// connect refuses a request over the size limit by destroying it mid-body; Node's HTTP/1.1 parser then stops
// reading the connection (the destroyed request takes no more data), and the client's next request on it hangs.
// Closing instead loses answers (the client gets a reset while it still sends). So once the answer is out, the
// rest of the body is read and dropped, up to a bound, and the connection carries on.
/** After answering, reads and drops the rest of a request body connect left unread (see above). */
export function readOnIfUnread(req: IncomingMessage, res: ServerResponse, maxDiscardBytes: number): void {
  const socket = req.socket;
  res.once("finish", () => {
    if (req.complete) return;
    let discarded = 0;
    req.push = (chunk: unknown) => {
      if (chunk !== null) discarded += (chunk as Buffer).length;
      if (discarded > maxDiscardBytes) socket.destroy();
      return true;
    };
    socket.resume();
  });
}
