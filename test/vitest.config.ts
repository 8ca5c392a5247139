import { defineProject } from "vitest/config";

// End-to-end tests: real gateway, runtimes, Python workers, redis-server and browsers.
export default defineProject({
  test: {
    name: "e2e",
    include: ["**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
