// `node --import ./bench/fast-path/register.mjs runtime-node/dist/src/main.js ...`: the runtime with the unary gRPC
// fast path, for measuring the fix before it lands in runtime-node/.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
