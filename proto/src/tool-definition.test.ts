import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { defineTool } from "./tool-definition.js";

const parameters = { type: "object", properties: { text: { type: "string" } }, required: ["text"] };

describe("defineTool", () => {
  it("returns a frozen definition", () => {
    const tool = defineTool({ name: "shout", description: "Upper-cases text.", parameters, run: ({ args }) => String(args.text).toUpperCase() });
    expect(Object.isFrozen(tool)).toBe(true);
    expect(tool.name).toBe("shout");
  });

  it.each([
    ["a name with a dash", { name: "no-dash" }, "its name must be"],
    ["parameters that are not an object", { parameters: [] as never }, "its parameters must be a JSON Schema object"],
    ["both run and stream", { stream: async function* () {} }, "exactly one of run and stream"],
    ["neither run nor stream", { run: undefined }, "exactly one of run and stream"],
  ])("refuses %s with INVALID_ARGUMENT", (_, change, message) => {
    const definition = { name: "ok", description: "", parameters, run: () => null, ...change };
    let error: unknown;
    try {
      defineTool(definition);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain(message);
  });
});
