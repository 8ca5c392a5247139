import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "runtime-node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The tests in test/ start real runtimes with Python workers.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
