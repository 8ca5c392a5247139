// Module resolution hooks (registered by register.mjs): outside bench/, @connectrpc/connect-node resolves to
// connect-node-with-fast-path.mjs; inside bench/ (that module itself) it resolves as usual.
const WRAPPER = new URL("./connect-node-with-fast-path.mjs", import.meta.url).href;
const BENCH = new URL("../", import.meta.url).href;

/** Redirects the runtime's import of @connectrpc/connect-node to the wrapper. */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === "@connectrpc/connect-node" && !context.parentURL?.startsWith(BENCH)) {
    return { url: WRAPPER, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
