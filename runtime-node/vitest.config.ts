import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "runtime-node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
