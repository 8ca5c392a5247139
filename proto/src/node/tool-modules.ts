import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConnectError } from "@connectrpc/connect";
import { defineTool, type ToolDefinition } from "../tool-definition.js";

// The loader of --ts-module (runtimes) and TOOLBRIDGE_TOOL_MODULES (the Node gateway): the same
// modules, checked the same way, whichever side serves them.

/**
 * Imports ES modules that export `tools`, an array of TypeScript tool definitions (defineTool), and checks each
 * definition. A spec is a file (absolute, or relative to the working directory) or a package name. Rejects with
 * one line naming the module and what is wrong, so that nothing starts with a tool missing.
 */
export async function loadToolModules(specs: readonly string[]): Promise<Readonly<ToolDefinition>[]> {
  const definitions: Readonly<ToolDefinition>[] = [];
  for (const spec of specs) {
    let exported: unknown;
    try {
      exported = (await import(specifierOf(spec))) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`cannot load TypeScript module ${spec}: ${(e as Error).message ?? String(e)}`);
    }
    const tools = (exported as Record<string, unknown>).tools;
    if (!Array.isArray(tools)) {
      throw new Error(`TypeScript module ${spec} does not export "tools", an array of tool definitions (defineTool)`);
    }
    tools.forEach((tool: unknown, i: number) => {
      if (typeof tool !== "object" || tool === null) {
        throw new Error(`TypeScript module ${spec}: tools[${i}] is not a tool definition`);
      }
      try {
        definitions.push(defineTool(tool as ToolDefinition));
      } catch (e) {
        throw new Error(`TypeScript module ${spec}: ${messageOf(e)}`);
      }
    });
  }
  return definitions;
}

function messageOf(e: unknown): string {
  return e instanceof ConnectError ? e.rawMessage : (e as Error).message;
}

function specifierOf(spec: string): string {
  const isPath = spec.startsWith(".") || isAbsolute(spec) || /\.[cm]?js$/.test(spec);
  return isPath ? pathToFileURL(resolve(spec)).href : spec;
}
