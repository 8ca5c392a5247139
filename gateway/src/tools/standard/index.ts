// The standard tools shipped with the gateway, web-standard (they run on Workers too).
import type { ToolDefinition } from "@toolbridge/proto";
import { parseAllowlist } from "./address-policy.js";
import { formatDatetimeTool } from "./format-datetime.js";
import { type HttpGetOptions, httpGetTool } from "./http-get.js";
import { type ValidateJsonOptions, validateJsonTool } from "./validate-json.js";
import { type ValidateRegexOptions, validateRegexTool } from "./validate-regex.js";

export { type AllowEntry, isPublic, parseAllowlist } from "./address-policy.js";
export { formatDatetimeTool } from "./format-datetime.js";
export { type HttpGetFetch, type HttpGetOptions, type HttpGetRequest, type HttpGetResponse, httpGetTool, webHttpGetFetch } from "./http-get.js";
export { type ValidateJsonOptions, validateJsonTool } from "./validate-json.js";
export { type ValidateRegexOptions, validateRegexTool } from "./validate-regex.js";

/** Options of standardTools: each tool's own, or false to leave it out. */
export interface StandardToolsOptions {
  /** validate_json's bounds. */
  validateJson?: ValidateJsonOptions | false;
  /** format_datetime (no options). */
  formatDatetime?: false;
  /** validate_regex's bounds. */
  validateRegex?: ValidateRegexOptions | false;
  /**
   * http_get's allowlist (host or host:port strings, as in TOOLBRIDGE_HTTP_GET_ALLOW), connector
   * (on Node, createNodeHttpGetFetch(): it checks every DNS answer) and bounds.
   */
  httpGet?: (Omit<HttpGetOptions, "allow"> & { allow?: readonly string[] }) | false;
}

/**
 * The standard tools: validate_json, format_datetime, validate_regex and http_get, for
 * createGateway({ tools }). Throws a RangeError for a malformed allowlist entry.
 */
export function standardTools(options: StandardToolsOptions = {}): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  if (options.validateJson !== false) tools.push(validateJsonTool(options.validateJson));
  if (options.formatDatetime !== false) tools.push(formatDatetimeTool());
  if (options.validateRegex !== false) tools.push(validateRegexTool(options.validateRegex));
  if (options.httpGet !== false) {
    const { allow, ...rest } = options.httpGet ?? {};
    tools.push(httpGetTool({ ...rest, allow: parseAllowlist(allow ?? []) }));
  }
  return tools;
}
