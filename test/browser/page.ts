// The script of the test page: a browser app on its own origin calling toolbridge with connect-web,
// and following a streaming tool through the gateway with a plain EventSource. Bundled by esbuild in
// browser.test.ts; `window.toolbridgeCheck(config)` runs every call and returns what happened, so the
// test can assert on it.
import { Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { fromValue } from "@toolbridge/proto";

interface Config {
  runtimeUrl: string;
  gatewayUrl: string;
  sessionId: string;
  otherSessionId: string;
  sessionToken: string;
  apiKey: string;
}

function transports(baseUrl: string, credential: string | undefined): Record<string, Transport> {
  const interceptors = credential === undefined ? [] : [bearer(credential)];
  return {
    grpcWeb: createGrpcWebTransport({ baseUrl, interceptors }),
    connectJson: createConnectTransport({ baseUrl, interceptors }),
    connectBinary: createConnectTransport({ baseUrl, interceptors, useBinaryFormat: true }),
  };
}

function bearer(credential: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${credential}`);
    return next(req);
  };
}

async function codeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "ok";
  } catch (err) {
    return Code[ConnectError.from(err).code];
  }
}

/** What an EventSource saw: every event in order, the chunks' data, the result's output. */
interface Followed {
  events: string[];
  chunks: unknown[];
  output: unknown;
}

/**
 * Follows `count` (n=3) through the gateway's GET stream with a session token in the query. With
 * `closeOnEnd` the page closes the EventSource on the result, as pages should; without it, the
 * EventSource reconnects after the stream ends, and the gateway's 204 to that must stop it without
 * running the tool again.
 */
function followCount(config: Config, closeOnEnd: boolean): Promise<Followed> {
  const url = new URL("/v1/tools/count:stream", config.gatewayUrl);
  url.searchParams.set("args", JSON.stringify({ n: 3 }));
  url.searchParams.set("access_token", config.sessionToken);
  return new Promise((resolve) => {
    const followed: Followed = { events: [], chunks: [], output: undefined };
    const source = new EventSource(url);
    source.addEventListener("chunk", (e) => {
      followed.events.push("chunk");
      followed.chunks.push(JSON.parse(e.data).data);
    });
    source.addEventListener("progress", () => followed.events.push("progress"));
    source.addEventListener("result", (e) => {
      followed.events.push("result");
      followed.output = JSON.parse(e.data).output;
      if (closeOnEnd) {
        source.close();
        resolve(followed);
      }
    });
    source.addEventListener("error", (e) => {
      // A tool's error event carries data; the EventSource's own error (connection lost or refused) does not.
      if (e instanceof MessageEvent) followed.events.push(`error ${e.data}`);
      else if (source.readyState === EventSource.CLOSED) resolve(followed);
      else followed.events.push("reconnecting");
    });
  });
}

async function check(config: Config) {
  const results: Record<string, unknown> = { origin: location.origin };
  const direct = transports(config.runtimeUrl, config.sessionToken);
  const viaGateway = transports(config.gatewayUrl, config.apiKey);
  for (const [route, set] of [["runtime", direct], ["gateway", viaGateway]] as const) {
    for (const [name, transport] of Object.entries(set)) {
      const tools = createClient(ToolService, transport);
      const reversed = await tools.executeTool({ tool: "reverse_text", args: { text: "browser" }, sessionId: config.sessionId });
      const chunks: unknown[] = [];
      let final: unknown;
      for await (const event of tools.streamTool({ tool: "count", args: { n: 3 }, sessionId: config.sessionId })) {
        if (event.event.case === "chunk") chunks.push(fromValue(event.event.value.data));
        if (event.event.case === "result") final = fromValue(event.event.value.result);
      }
      const bytes = await tools.executeTool({ tool: "echo_bytes", payload: new Uint8Array([0, 1, 2, 255]), sessionId: config.sessionId });
      results[`${route}/${name}`] = {
        reversed: fromValue(reversed.result),
        chunks,
        final,
        bytes: Array.from(bytes.payload),
      };
    }
  }
  const tokenClient = createClient(ToolService, direct.grpcWeb);
  results.otherSession = await codeOf(() => tokenClient.executeTool({ tool: "reverse_text", args: { text: "x" }, sessionId: config.otherSessionId }));
  results.noCredential = await codeOf(() =>
    createClient(ToolService, transports(config.runtimeUrl, undefined).grpcWeb).executeTool({ tool: "reverse_text", args: { text: "x" } }),
  );
  [results.eventSource, results.eventSourceLeftOpen] = await Promise.all([followCount(config, true), followCount(config, false)]);
  results.badArgument = await codeOf(() => tokenClient.executeTool({ tool: "reverse_text", args: { text: 42 }, sessionId: config.sessionId }));
  return results;
}

(window as unknown as { toolbridgeCheck: typeof check }).toolbridgeCheck = check;
