// @toolbridge/runtime: a long-lived Node runtime serving Python and TypeScript tools.
export {
  defineTool,
  type ToolCall,
  type ToolContext,
  type ToolDefinition,
  type ToolResult,
} from "@toolbridge/proto";
export type { CallContextClaims, SessionClaims } from "./auth/call-context.js";
export type { CallGrant } from "./auth/call-grant.js";
export { ConfigError, loadConfig, type RuntimeConfig } from "./config.js";
export { createLogger, type Logger, type LoggerOptions, type LogLevel, silentLogger } from "./log.js";
export type {
  CallbackHandler,
  CallbackRequest,
  CallbackResponder,
  WorkerCall,
} from "./pool/worker-interface.js";
export type { PoolLoad } from "./pool/worker-pool.js";
export { type Announcement, type AnnounceOptions, announceRuntime } from "./registry/runtime-announcer.js";
export { createRuntime, type Runtime, type RuntimeInfo, type RuntimeOptions } from "./runtime.js";
export { type Authenticator, type Caller, callerKey, type HeaderLookup } from "./server/auth.js";
export type { Tool, ToolInvocation, ToolOutput, ToolSink } from "./tools/tool.js";
