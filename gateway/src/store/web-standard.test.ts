import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The store interface, the memory and Upstash stores, the shared Redis scripts and the variable
// rules run on Cloudflare Workers: none of them may import Node modules or the `redis` package.
const src = fileURLToPath(new URL("..", import.meta.url));
const nodeOnly = new Set(["store/redis-store.ts"]);

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("web-standard store", () => {
  it("imports no Node module outside the Node-only files", async () => {
    const files = [...(await sources(join(src, "store"))), ...(await sources(join(src, "variables")))];
    expect(files.length).toBeGreaterThan(20);
    const offenders: string[] = [];
    for (const file of files) {
      const name = relative(src, file);
      if (nodeOnly.has(name) || name.startsWith("store/conformance")) continue;
      const text = await readFile(file, "utf8");
      if (/from "(node:[^"]+|redis|@upstash\/redis)"/.test(text)) offenders.push(name);
    }
    expect(offenders).toEqual([]);
  });
});
