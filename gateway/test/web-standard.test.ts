import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The gateway's core runs on Cloudflare Workers too: outside the Node entry points, no file may
// import a Node module or a Node-only package, nor use Node globals.
const src = fileURLToPath(new URL("../src", import.meta.url));
const nodeOnly = new Set(["main.ts", "config.ts", "adapter/node.ts", "adapter/node-fast-execute.ts", "adapter/node-fast-unary.ts", "adapter/node-connect-wire.ts", "adapter/node-http-get.ts", "store/redis-store.ts"]);
const nodeImport = /from "(node:[^"]+|redis|@connectrpc\/connect-node|@hono\/node-server)"/;
const nodeGlobal = /\b(process\.|Buffer\.|require\()/;

describe("web-standard gateway core", () => {
  it("imports no Node module and uses no Node global outside the Node entry points", async () => {
    const entries = await readdir(src, { withFileTypes: true, recursive: true });
    const files = entries
      .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
      .map((e) => relative(src, join(e.parentPath, e.name)))
      .filter((name) => !nodeOnly.has(name) && !name.startsWith("store/conformance"));
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const name of files) {
      const text = await readFile(join(src, name), "utf8");
      if (nodeImport.test(text) || nodeGlobal.test(text)) offenders.push(name);
    }
    expect(offenders).toEqual([]);
  });
});
