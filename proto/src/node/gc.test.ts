import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const gc = fileURLToPath(new URL("../../dist/src/node/gc.js", import.meta.url));

// Runs preferFullCollections (as built) in a fresh node with these flags, and reports what it did.
function probe(flags: string[]): { turnedOff: boolean } {
  const script = `import { preferFullCollections } from ${JSON.stringify(gc)}; console.log(JSON.stringify({ turnedOff: preferFullCollections() }));`;
  return JSON.parse(execFileSync(process.execPath, [...flags, "--input-type=module", "-e", script], { encoding: "utf8" }));
}

describe("preferFullCollections", () => {
  it("turns incremental marking off by default", () => {
    expect(probe([])).toEqual({ turnedOff: true });
  });

  it("leaves it on when the command line asks for it", () => {
    expect(probe(["--incremental-marking"])).toEqual({ turnedOff: false });
    expect(probe(["--incremental_marking"])).toEqual({ turnedOff: false });
  });
});
