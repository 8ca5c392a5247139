export { codeFromName, codeToName } from "./code-name.js";
export { errorFromInfo, errorInfoOf, type ErrorInfoFields, toolError } from "./error-info.js";
export { fromValue, toValue } from "./json-value.js";
