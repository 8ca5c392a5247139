import { create } from "@bufbuild/protobuf";
import { type ArgsValidator, createArgsValidator, defineTool, type ToolDefinition } from "@toolbridge/proto";
import { type ToolInfo, ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";

// TypeScript tools the gateway serves itself, in process, on Node and on Workers alike.
//
// Names are decided deliberately when they clash:
// - A gateway tool and a runtime tool of the same name: the gateway tool is served and listed, and the
//   runtime's is not reachable through the gateway (the gateway logs a warning when the runtime
//   registers). The gateway's tools are its operator's configuration, and a runtime must not replace
//   one of them (say http_get with its address checks) unnoticed.
// - A gateway tool and a session tool: RegisterSessionTool refuses the name (ALREADY_EXISTS), so a
//   name means the same tool in every session.
// - Two gateway tools: createGateway refuses them.

/** A gateway tool ready to run: its definition, its description as ListTools shows it, and its argument check. */
export interface GatewayTool {
  /** The definition as given (checked by defineTool). */
  readonly definition: Readonly<ToolDefinition>;
  /** Name, description, schemas; language "typescript". */
  readonly info: ToolInfo;
  /** Checks the keyword arguments against `parameters` (compiled once). */
  readonly validate: ArgsValidator;
}

/** The gateway's own tools by name. */
export type GatewayToolCatalog = ReadonlyMap<string, GatewayTool>;

/**
 * The catalog of these definitions. Throws (INVALID_ARGUMENT from defineTool, or a RangeError) on
 * an ill-defined tool, a schema that does not compile, or two tools of one name, so a bad
 * configuration fails when the gateway is created, not at the first call.
 */
export function createGatewayToolCatalog(definitions: readonly ToolDefinition[]): GatewayToolCatalog {
  const catalog = new Map<string, GatewayTool>();
  for (const given of definitions) {
    const definition = defineTool(given);
    if (catalog.has(definition.name)) throw new RangeError(`two gateway tools are named '${definition.name}'`);
    let validate: ArgsValidator;
    try {
      validate = createArgsValidator(definition.parameters, definition.name);
    } catch (err) {
      throw new RangeError(`gateway tool '${definition.name}' has parameters that are not a usable JSON Schema: ${(err as Error).message}`);
    }
    const info = create(ToolInfoSchema, {
      name: definition.name,
      description: definition.description,
      parameters: definition.parameters,
      result: definition.result,
      streaming: definition.stream !== undefined,
      language: "typescript",
    });
    catalog.set(definition.name, { definition, info, validate });
  }
  return catalog;
}
