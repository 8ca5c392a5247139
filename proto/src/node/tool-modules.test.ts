import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadToolModules } from "./tool-modules.js";

const dir = mkdtempSync(join(tmpdir(), "toolbridge-tool-modules-"));
const module = (name: string, source: string) => {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
};
const tool = (name: string) => `{ name: "${name}", description: "", parameters: { type: "object" }, run: () => "${name}" }`;

describe("loadToolModules", () => {
  it("returns every module's tools in order, checked and frozen, from absolute and relative paths", async () => {
    const first = module("first.mjs", `export const tools = [${tool("one")}, ${tool("two")}];`);
    const second = module("second.mjs", `export const tools = [${tool("three")}];`);
    const definitions = await loadToolModules([first, relative(process.cwd(), second)]);
    expect(definitions.map((d) => d.name)).toEqual(["one", "two", "three"]);
    expect(definitions.every((d) => Object.isFrozen(d))).toBe(true);
  });

  it.each([
    ["a file that does not exist", join(dir, "missing.mjs"), /^cannot load TypeScript module .*missing\.mjs: /],
    ["a module that throws on import", module("throws.mjs", "throw new Error('no import for you');"), /^cannot load TypeScript module .*throws\.mjs: no import for you$/],
    ["a module without a tools array", module("no-tools.mjs", "export const tool = {};"), /^TypeScript module .*no-tools\.mjs does not export "tools"/],
    ["a tools entry that is not an object", module("number.mjs", "export const tools = [1];"), /^TypeScript module .*number\.mjs: tools\[0\] is not a tool definition$/],
    [
      "an ill-defined tool",
      module("bad.mjs", "export const tools = [{ name: 'bad name', description: '', parameters: {}, run() {} }];"),
      /^TypeScript module .*bad\.mjs: tool 'bad name' is ill-defined: its name must be/,
    ],
  ])("rejects with one line naming the module for %s", async (_what, file, message) => {
    await expect(loadToolModules([file])).rejects.toThrow(message);
  });
});
