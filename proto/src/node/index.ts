// @toolbridge/proto/node: what the gateway's Node adapter and the runtimes share that only runs on Node.
// Nothing outside this folder may import it (proto/src/web-standard.test.ts checks the other way round).
export { type Listener, type ListenOptions, listen, type NodeRequestHandler } from "./listen.js";
export { loadToolModules } from "./tool-modules.js";
export { preferFullCollections } from "./gc.js";
export { stopOnSignals } from "./stop-signals.js";
