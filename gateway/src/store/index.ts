// The store's public surface, web-standard (safe to bundle for Workers). The Redis-protocol
// store is Node-only: import createRedisStore from "./redis-store.js" in Node entry points.
export * from "./errors.js";
export { createMemoryStore, type MemoryStoreOptions } from "./memory/memory-store.js";
export { pageSizes } from "./page-token.js";
export type { ScriptedStoreOptions } from "./redis/scripted-store.js";
export type {
  ApiKeyRecord,
  ApiKeyStore,
  CommitResult,
  NewSession,
  PageRequest,
  RuntimeRegistry,
  SessionPage,
  SessionRecord,
  SessionStateStore,
  SessionStore,
  SessionTool,
  Store,
  StoreOptions,
  VariableStore,
  WatchOptions,
} from "./store.js";
export { createUpstashStore, type UpstashStoreOptions } from "./upstash-store.js";
