import { describe, expect, it } from "vitest";
import { standardTools } from "./index.js";

describe("standardTools", () => {
  it("gives the four standard tools, each as a web-standard definition", () => {
    const tools = standardTools();
    expect(tools.map((t) => t.name)).toEqual(["validate_json", "format_datetime", "validate_regex", "http_get"]);
    for (const tool of tools) expect(typeof tool.run).toBe("function");
  });

  it("leaves out the tools set to false", () => {
    expect(standardTools({ httpGet: false, validateRegex: false }).map((t) => t.name)).toEqual(["validate_json", "format_datetime"]);
  });

  it("refuses a malformed http_get allowlist entry", () => {
    expect(() => standardTools({ httpGet: { allow: ["127.0.0.1:99999"] } })).toThrow(/port must be 1 to 65535/);
  });
});
