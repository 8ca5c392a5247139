// @toolbridge/gateway: the web-standard gateway core. Node-only pieces (the Redis-protocol store,
// the Node adapter) have their own entry points: ./store/redis-store.js and ./adapter/node.js.
export { generateApiKey, hashApiKey, provisionApiKey, revokeApiKey } from "./auth/api-keys.js";
export { callContextAudience, callContextHeader, type CallContextClaims } from "./auth/call-context.js";
export { anonymousOrg, type Principal, type PrincipalKind } from "./auth/principal.js";
export { sessionTokenAudience, type SessionTokenClaims } from "./auth/session-token.js";
export type { ConnectServing } from "./connect/mount.js";
export { createGateway, type Gateway, type GatewayCore } from "./gateway.js";
export { createLogger, type Logger, type LoggerOptions, type LogLevel, silentLogger } from "./log.js";
export { type GatewayOptions, gatewayDefaults, resolveGatewayOptions } from "./options.js";
export * from "./store/index.js";
export { type GatewayTool } from "./tools/gateway-tools.js";
export { gatewayRuntimeId } from "./tools/run-gateway-tool.js";
export * from "./tools/standard/index.js";
