// What global-setup.ts provides to the tests (and to vitest.config.ts's bindings).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The REST front's URL and token (UPSTASH_REDIS_REST_URL, _TOKEN). */
    upstashUrl: string;
    upstashToken: string;
    /** The runtime credential, shared by the gateway and the runtime. */
    runtimeKey: string;
    /** An API key of org "acme" allowed every tool, and one allowed only echo. */
    apiKey: string;
    limitedKey: string;
    /** The runtime's base URL and the id it reports (rt-<hostname>-<port>). */
    runtimeUrl: string;
    runtimeId: string;
    /** A URL on 127.0.0.1 where nothing listens. */
    goneUrl: string;
  }
}
