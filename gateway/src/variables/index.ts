// The variable and session rules, and conversions between the contract's messages and the store's records.
export { defaultLimits, type Limits, resolveLimits } from "./limits.js";
export { checkId, checkVariableName, maxIdLength } from "./names.js";
export { changeToProto, variableToProto, variableTypeFromProto, variableTypeToProto, writeFromProto } from "./proto.js";
export type {
  Variable,
  VariableChange,
  VariableCommit,
  VariableConstraints,
  VariableDelete,
  VariableMetadata,
  VariableType,
  VariableValue,
  VariableWrite,
} from "./variable.js";
export { variableTypes } from "./variable.js";
