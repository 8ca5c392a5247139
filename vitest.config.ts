import { defineConfig } from "vitest/config";

// One run covers every package; each project has its own config beside its code.
export default defineConfig({
  test: {
    projects: ["proto", "runtime-node", "gateway", "gateway/workers-test", "test"],
  },
});
