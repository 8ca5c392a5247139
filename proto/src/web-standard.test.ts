import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// @toolbridge/proto runs in the gateway on Cloudflare Workers too: outside src/node (the Node-only
// subpath, @toolbridge/proto/node), no file may import a Node module or use a Node global.
const src = fileURLToPath(new URL(".", import.meta.url));
// A Node module, or the Node-only subpath itself (which would bring its Node imports along).
const nodeImport = /from "(node:[^"]+|(\.\.?\/)+node\/[^"]*|@toolbridge\/proto\/node)"/;
const nodeGlobal = /\b(process\.|Buffer\.|require\()/;

describe("web-standard proto helpers", () => {
  it("import no Node module and use no Node global outside src/node", async () => {
    const entries = await readdir(src, { withFileTypes: true, recursive: true });
    const files = entries
      .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
      .map((e) => relative(src, join(e.parentPath, e.name)))
      .filter((name) => !name.startsWith("node/"));
    expect(files.length).toBeGreaterThan(5);
    const offenders: string[] = [];
    for (const name of files) {
      const text = await readFile(join(src, name), "utf8");
      if (nodeImport.test(text) || nodeGlobal.test(text)) offenders.push(name);
    }
    expect(offenders).toEqual([]);
  });
});
