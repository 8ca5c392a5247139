import { type ArgsValidator, createArgsValidator } from "@toolbridge/proto";
import type { ToolInfo } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Tool } from "./tool.js";

/** A tool with its argument validator, compiled once. */
export interface CatalogEntry {
  readonly tool: Tool;
  readonly validate: ArgsValidator;
}

/** The tools one runtime serves, by name. */
export interface ToolCatalog {
  /** The tool with this name, or undefined. */
  get(name: string): CatalogEntry | undefined;
  /** Every tool's description, in registration order. */
  list(): ToolInfo[];
}

/** A catalog of these tools. Throws when two share a name, since a call could not tell them apart. */
export function createToolCatalog(tools: Tool[]): ToolCatalog {
  const entries = new Map<string, CatalogEntry>();
  for (const tool of tools) {
    const name = tool.info.name;
    if (name === "") throw new Error("a tool has no name");
    if (entries.has(name)) throw new Error(`two tools are named "${name}"; tool names must be unique`);
    let validate: ArgsValidator;
    try {
      validate = createArgsValidator(tool.info.parameters, name);
    } catch (e) {
      throw new Error(`tool "${name}" has a parameter schema that is not valid JSON Schema: ${(e as Error).message}`);
    }
    entries.set(name, { tool, validate });
  }
  const infos = tools.map((t) => t.info);
  return {
    get: (name) => entries.get(name),
    list: () => infos,
  };
}
