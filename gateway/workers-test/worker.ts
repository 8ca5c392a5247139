// The Worker the workerd tests run: an entry of one's own, as a deployment that adds its own tools
// writes it (outside this repository the import is "@toolbridge/gateway/workers"). Apart from the
// tool, it is infra/wrangler.toml's Worker: the same factory, bindings and settings.
import { defineTool } from "@toolbridge/proto";
import { createWorkersHandler } from "../src/adapter/workers.js";

/** Greets with the session's `salutation` variable (or "Hello"), and notes whom in `last_greeted`. */
const greet = defineTool<{ name: string }>({
  name: "greet",
  description: "Greets someone, in the session's salutation when there is one.",
  parameters: {
    type: "object",
    properties: { name: { type: "string", minLength: 1, maxLength: 100 } },
    required: ["name"],
    additionalProperties: false,
  },
  run: async ({ args, ctx }) => {
    if (ctx.sessionId === "") return { greeting: `Hello, ${args.name}!` };
    const salutation = await ctx.getVariable("salutation");
    await ctx.setVariable("last_greeted", args.name, { type: "string" });
    return { greeting: `${String(salutation?.value ?? "Hello")}, ${args.name}!` };
  },
});

export default createWorkersHandler({ tools: [greet] });
