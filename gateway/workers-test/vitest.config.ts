import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineProject } from "vitest/config";

// The gateway inside workerd (@cloudflare/vitest-pool-workers): the Workers adapter and
// infra/wrangler.toml, against the Upstash REST front, redis-server and a runtime that
// global-setup.ts starts in Node and hands over as bindings. The Worker is worker.ts, an entry of
// one's own that adds a tool to the gateway through createWorkersHandler({ tools }).

// Offline: no usage metrics, no request.cf data fetched from Cloudflare.
process.env.WRANGLER_SEND_METRICS ??= "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

export default defineProject({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: "./worker.ts",
      wrangler: { configPath: "../../infra/wrangler.toml" },
      miniflare: {
        // Secrets in production (wrangler secret put); bindings here.
        bindings: {
          UPSTASH_REDIS_REST_URL: inject("upstashUrl"),
          UPSTASH_REDIS_REST_TOKEN: inject("upstashToken"),
          TOOLBRIDGE_RUNTIME_KEY: inject("runtimeKey"),
          TOOLBRIDGE_API_KEYS: `${inject("apiKey")}=acme;${inject("limitedKey")}=acme:echo`,
        },
      },
    })),
  ],
  test: {
    name: "workers",
    include: ["**/*.test.ts"],
    globalSetup: ["./global-setup.ts"],
    testTimeout: 15_000,
    hookTimeout: 60_000,
  },
});
