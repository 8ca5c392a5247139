// A bare Connect-protocol unary client on node:http / node:http2: the request is encoded once, the response is
// read and decoded, nothing else. It keeps client-side cost (copies, GC of large buffers) out of a row, so the
// figure shows what the server adds; the connect-node rows show what a user of the product client sees.
import * as http from "node:http";
import * as http2 from "node:http2";
import { fromBinary, toBinary } from "@bufbuild/protobuf";

/**
 * Creates a caller for one unary method over the Connect protocol with the binary codec.
 *
 * Options:
 * - url: the server's base URL.
 * - method: the method descriptor.
 * - message: the request message (encoded once, here).
 * - headers: extra request headers (e.g. authorization).
 * - httpVersion: "1.1" or "2".
 * - concurrency: sizes the HTTP/1.1 agent.
 * - maxMessageBytes: sizes HTTP/2 windows, as the runtime's are.
 *
 * Returns { call() -> Promise<response message>, close() }.
 */
export function createRawConnectCaller({ url, method, message, headers = {}, httpVersion, concurrency, maxMessageBytes }) {
  const body = Buffer.from(toBinary(method.input, message));
  const path = `/${method.parent.typeName}/${method.name}`;
  const requestHeaders = { "content-type": "application/proto", "connect-protocol-version": "1", ...headers };
  const decode = (status, chunks) => {
    const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    if (status !== 200) throw new Error(`HTTP ${status}: ${data.toString("utf8").slice(0, 300)}`);
    return fromBinary(method.output, data);
  };

  if (httpVersion === "1.1") {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const target = new URL(path, url);
    return {
      call: () =>
        new Promise((resolve, reject) => {
          const req = http.request(target, { method: "POST", agent, headers: { ...requestHeaders, "content-length": body.length } }, (res) => {
            const chunks = [];
            res.on("data", (c) => chunks.push(c));
            res.on("end", () => {
              try {
                resolve(decode(res.statusCode, chunks));
              } catch (e) {
                reject(e);
              }
            });
            res.on("error", reject);
          });
          req.on("error", reject);
          req.end(body);
        }),
      close: async () => agent.destroy(),
    };
  }

  const window = Math.min(2 ** 31 - 1, Math.max(4 * 1024 * 1024, maxMessageBytes * 2));
  const session = http2.connect(url, { settings: { initialWindowSize: window } });
  session.on("error", () => {});
  session.once("connect", () => session.setLocalWindowSize(Math.min(2 ** 31 - 1, window * 2)));
  return {
    call: () =>
      new Promise((resolve, reject) => {
        const stream = session.request({ ":method": "POST", ":path": path, ...requestHeaders });
        let status = 0;
        const chunks = [];
        stream.on("response", (h) => (status = h[":status"]));
        stream.on("data", (c) => chunks.push(c));
        stream.on("end", () => {
          try {
            resolve(decode(status, chunks));
          } catch (e) {
            reject(e);
          }
        });
        stream.on("error", reject);
        stream.end(body);
      }),
    close: async () => session.close(),
  };
}
