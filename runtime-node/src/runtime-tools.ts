import type { ToolDefinition } from "@toolbridge/proto";
import type { Admit } from "./auth/call-grant.js";
import { type CallBridge, createCallBridge } from "./bridge/call-bridge.js";
import type { GatewayLink } from "./bridge/gateway-link.js";
import { createPythonCallbacks } from "./bridge/python-callbacks.js";
import { createToolContext } from "./bridge/tool-context.js";
import type { Logger } from "./log.js";
import type { CallbackHandler, WorkerToolInfo } from "./pool/worker-interface.js";
import type { WorkerPool } from "./pool/worker-pool.js";
import { createToolRunner, type ToolRunner } from "./services/tool-runner.js";
import { createToolCatalog, type ToolCatalog } from "./tools/catalog.js";
import { createPythonTools } from "./tools/python-tool.js";
import { createTypeScriptTool } from "./tools/typescript-tool.js";

/** Options of assembleTools. */
export interface ToolAssemblyOptions {
  /** The tools the Python workers reported. */
  pythonTools: WorkerToolInfo[];
  /** The pool that runs them. */
  pool: WorkerPool;
  /** TypeScript tools, run in this process. */
  definitions: readonly Readonly<ToolDefinition>[];
  /** Decides what each call may do. */
  admit: Admit;
  /** The gateway, when the runtime has one. */
  gateway: GatewayLink | undefined;
  /** The runtime's id, read on each call (known once it listens). */
  runtimeId: () => string;
  /** Longest a call may run. */
  maxTimeoutMs: number;
  /** Largest payload, result or chunk. */
  maxMessageBytes: number;
  /** Gets one debug line per call. */
  log: Logger;
}

/** The tools of a runtime and what runs them. */
export interface ToolAssembly {
  /** Every tool, Python and TypeScript. */
  readonly catalog: ToolCatalog;
  /** Runs calls from any front (Connect, the fast path, nested calls). */
  readonly runner: ToolRunner;
  /** What a running tool can ask for: nested calls and variables. */
  readonly bridge: CallBridge;
  /** Serves the callbacks of Python tools through the bridge. */
  readonly callbacks: CallbackHandler;
}

/**
 * The catalog of Python and TypeScript tools, the runner over it, and the bridge through which tools call back
 * (which needs the runner for the runtime's own TypeScript tools, while those tools need the bridge for their
 * context: the context is made per call, once everything exists).
 */
export function assembleTools(options: ToolAssemblyOptions): ToolAssembly {
  const { maxMessageBytes } = options;
  let bridge: CallBridge | undefined;
  const typescript = options.definitions.map((definition) =>
    createTypeScriptTool(definition, {
      contextOf: (call, sink) => createToolContext(call, bridge as CallBridge, sink),
      maxMessageBytes,
    }),
  );
  const catalog = createToolCatalog([...createPythonTools(options.pythonTools, options.pool), ...typescript]);
  const runner = createToolRunner({
    catalog,
    get runtimeId() {
      return options.runtimeId();
    },
    maxTimeoutMs: options.maxTimeoutMs,
    maxMessageBytes,
    admit: options.admit,
    log: options.log,
  });
  bridge = createCallBridge({ runner, catalog, gateway: options.gateway });
  return { catalog, runner, bridge, callbacks: createPythonCallbacks(bridge) };
}
