// The Worker under test, for the type of `exports` from "cloudflare:workers".
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./worker.js");
  }
}
