import { spawn } from "node:child_process";
import type { JsonValue } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import type { Logger } from "../log.js";
import { payloadBytes } from "../payload.js";
import { createFrameDecoder, type FrameBody, type FrameHeader } from "./frame.js";
import { createFrameWriter } from "./frame-writer.js";
import { createWorkerCallbacks } from "./worker-callbacks.js";
import {
  type CancelReason,
  exitedBeforeReady,
  readyTimeout,
  resultTooLarge,
  spawnFailed,
  type WorkerExit,
  type WorkerLabel,
  workerCallError,
  workerDied,
  workerFatal,
  workerProtocolError,
} from "./worker-errors.js";
import type {
  CallbackHandler,
  CallListener,
  PoolWorker,
  WorkerCall,
  WorkerToolInfo,
} from "./worker-interface.js";

/** Options of spawnPythonWorker. */
export interface PythonWorkerOptions {
  /** The worker's slot in the pool, for messages. */
  index: number;
  /** Python executable. */
  python: string;
  /** Modules or .py files with tools (`--module`). */
  modules: string[];
  /** Environment of the child, PYTHONPATH included. */
  env: NodeJS.ProcessEnv;
  /** Largest frame body either way. */
  maxMessageBytes: number;
  /** How long the worker may take to say `ready`. */
  readyTimeoutMs: number;
  /** Serves the callbacks of the worker's tools. */
  callbacks: CallbackHandler;
  /** Where the worker's stderr and problems go. */
  log: Logger;
}

interface Pending {
  /** The tool call; undefined for an object-bridge request. */
  call: WorkerCall | undefined;
  /** The tool, or the object operation, for messages. */
  tool: string;
  listener: CallListener;
}

// A busy worker gets the calls held for it when it has no more than this many others left to answer.
const feedBelow = 2;
// Keep this much of a worker's stderr, to explain a failed start.
const stderrTailBytes = 4096;
// A stderr line longer than this is cut, so that a tool cannot grow the runtime's memory through it.
const maxStderrLine = 8192;

/** Starts one `python3 -m toolbridge` child speaking the frame protocol (python/PROTOCOL.md). */
export function spawnPythonWorker(options: PythonWorkerOptions): PoolWorker {
  const { index, python, modules, env, maxMessageBytes, callbacks, log } = options;
  const args = ["-m", "toolbridge", ...modules.flatMap((m) => ["--module", m])];
  const child = spawn(python, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  const label: WorkerLabel = { index, pid: child.pid };
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let isReady = false;
  let exitCause: ConnectError | undefined;
  // Set once the process is gone; a call that slips in before the pool hears of it fails like the others did.
  let deathError: ConnectError | undefined;
  let stderrTail = "";

  let resolveReady!: (tools: WorkerToolInfo[]) => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<WorkerToolInfo[]>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => {}); // the pool awaits it; this only keeps an unobserved rejection quiet
  const readyTimer = setTimeout(() => {
    rejectReady(readyTimeout(label, options.readyTimeoutMs));
    child.kill("SIGKILL");
  }, options.readyTimeoutMs);

  const stdin = child.stdin;
  stdin.on("error", () => {}); // EPIPE when the worker died; its exit is handled below
  const writer = createFrameWriter(stdin);
  // Everything but a call to a busy worker goes out at the end of this turn (see FrameWriter).
  const send = (header: object, body?: Uint8Array) => writer.send(header, body, true);
  const callbacksInFlight = createWorkerCallbacks(callbacks, send);

  const decoder = createFrameDecoder({
    maxBodyBytes: maxMessageBytes,
    onFrame: handleFrame,
    onOversized(header, bodyLength) {
      const id = header.id as number;
      const p = typeof id === "number" ? pending.get(id) : undefined;
      if (p !== undefined) {
        pending.delete(id);
        send({ t: "cancel", id, reason: "canceled" });
        p.listener.end(resultTooLarge(bodyLength, maxMessageBytes, p.tool));
      } else if (header.t === "callback" && typeof header.cid === "number") {
        callbacksInFlight.refuseOversized(header.cid, bodyLength);
      }
    },
    onError(error) {
      exitCause = workerProtocolError(label, error.message);
      log.error(`Python worker ${index} (pid ${label.pid}) ${error.message}; killing it`);
      child.kill("SIGKILL");
    },
  });
  // Calls held for a busy worker go out once it is down to its last few (see FrameWriter).
  child.stdout.on("data", (chunk: Buffer) => {
    decoder.push(chunk);
    if (writer.waiting > 0 && pending.size - writer.waiting <= feedBelow) writer.flush();
  });
  // Pipe errors end in the child's "close" like any death; they must not crash the runtime.
  child.stdout.on("error", () => {});
  child.stderr.on("error", () => {});

  let line = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    stderrTail = (stderrTail + text).slice(-stderrTailBytes);
    const lines = (line + text).split("\n");
    line = lines.pop() ?? "";
    if (line.length > maxStderrLine) line = line.slice(0, maxStderrLine);
    for (const l of lines) if (l !== "") log.info(`[python ${label.pid}] ${l.slice(0, maxStderrLine)}`);
  });

  function handleFrame(header: FrameHeader, body: FrameBody): void {
    switch (header.t) {
      case "chunk": {
        const p = pending.get(header.id as number);
        if (header.binary === true) p?.listener.chunk?.(null, payloadBytes(body) as Buffer);
        else p?.listener.chunk?.((header.value ?? null) as JsonValue, undefined);
        return;
      }
      case "progress": {
        const p = pending.get(header.id as number);
        p?.listener.progress?.(Number(header.fraction) || 0, typeof header.message === "string" ? header.message : "");
        return;
      }
      case "result": {
        const id = header.id as number;
        const p = pending.get(id);
        if (p === undefined) return;
        pending.delete(id);
        callbacksInFlight.endCall(id);
        // A binary result may come with a JSON value too (toolbridge.Result(value, payload=...)).
        p.listener.end(undefined, {
          value: (header.value ?? null) as JsonValue,
          payload: header.binary === true ? body : undefined,
          runMs: typeof header.run_ms === "number" ? header.run_ms : 0,
        });
        return;
      }
      case "error": {
        const id = header.id as number;
        const p = pending.get(id);
        if (p === undefined) return;
        pending.delete(id);
        callbacksInFlight.endCall(id);
        p.listener.end(workerCallError(header, p.tool));
        return;
      }
      case "callback":
        return callbacksInFlight.start(header, payloadBytes(body) as Buffer, pending.get(header.call as number)?.call);
      case "callback_cancel":
        return callbacksInFlight.cancel(header.cid as number);
      case "ready":
        isReady = true;
        clearTimeout(readyTimer);
        if (typeof header.pid === "number" && label.pid === undefined) label.pid = header.pid;
        resolveReady(Array.isArray(header.tools) ? (header.tools as WorkerToolInfo[]) : []);
        return;
      case "fatal":
        clearTimeout(readyTimer);
        rejectReady(workerFatal(header));
        return;
      default:
        log.warn(`Python worker ${index} (pid ${label.pid}) sent an unknown frame type "${header.t}"; ignored`);
    }
  }

  const exited = new Promise<WorkerExit>((resolve) => {
    let done = false;
    const finish = (exit: WorkerExit) => {
      if (done) return;
      done = true;
      clearTimeout(readyTimer);
      if (!isReady) rejectReady(exitedBeforeReady(label, exit, stderrTail));
      const error = exitCause ?? workerDied(label, exit);
      deathError = error;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.listener.end(error);
      }
      callbacksInFlight.endAll();
      resolve(exit);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(readyTimer);
      rejectReady(spawnFailed(python, error));
      if (child.pid === undefined) finish({ code: null, signal: null });
    });
    child.once("close", (code, signal) => finish({ code, signal }));
  });

  return {
    label,
    ready,
    exited,
    call(call, listener) {
      const id = nextId++;
      if (deathError !== undefined) {
        const error = deathError;
        process.nextTick(() => listener.end(error));
        return id;
      }
      const busy = pending.size > 0;
      pending.set(id, { call, tool: call.tool, listener });
      writer.send(
        {
          t: "call",
          id,
          tool: call.tool,
          args: call.args,
          session: call.session,
          request: call.request,
          timeout_ms: call.timeoutMs,
          stream: call.stream,
        },
        call.payload,
        !busy || call.nested === true,
      );
      return id;
    },
    object(frame, listener) {
      const id = nextId++;
      if (deathError !== undefined) {
        const error = deathError;
        process.nextTick(() => listener.end(error));
        return id;
      }
      pending.set(id, { call: undefined, tool: "", listener });
      send({ ...frame, t: "object", id });
      return id;
    },
    cancel(id, reason: CancelReason) {
      if (pending.has(id)) send({ t: "cancel", id, reason });
    },
    close() {
      writer.flush();
      if (!stdin.writableEnded) stdin.end();
    },
    kill() {
      child.kill("SIGKILL");
    },
  };
}
