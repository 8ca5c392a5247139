export { type ArgsValidator, createArgsValidator } from "./args-validator.js";
export { type BatchCall, type BatchExecutor, type BatchLimits, checkBatchSize, runBatch } from "./batch.js";
export { codeFromName, codeToName } from "./code-name.js";
export { errorFromInfo, errorInfoOf, type ErrorInfoFields, toolError } from "./error-info.js";
export { fromValue, maxJsonDepth, toValue } from "./json-value.js";
export { createLogger as createLevelledLogger, type Logger, type LogLevel, logLevels } from "./log.js";
export {
  defineTool,
  type NestedCallOptions,
  type SetVariableOptions,
  type ToolCall,
  type ToolContext,
  type ToolDefinition,
  type ToolResult,
  type VariableView,
} from "./tool-definition.js";
export { isVariableTypeName, variableTypeByName, variableTypeName, type VariableTypeName } from "./variable-type.js";
