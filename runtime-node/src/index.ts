// @toolbridge/runtime: a long-lived Node runtime serving Python (and later TypeScript) tools.
export { ConfigError, loadConfig, type RuntimeConfig } from "./config.js";
export { createLogger, type Logger, type LoggerOptions, type LogLevel, silentLogger } from "./log.js";
export { createUnsupportedCallbacks } from "./pool/callbacks.js";
export type {
  CallbackHandler,
  CallbackRequest,
  CallbackResponder,
  WorkerCall,
} from "./pool/worker-interface.js";
export type { PoolLoad } from "./pool/worker-pool.js";
export { createRuntime, type Runtime, type RuntimeInfo, type RuntimeOptions } from "./runtime.js";
export { type Authenticator, type Caller, callerKey, type HeaderLookup } from "./server/auth.js";
export type { Tool, ToolInvocation, ToolOutput, ToolSink } from "./tools/tool.js";
