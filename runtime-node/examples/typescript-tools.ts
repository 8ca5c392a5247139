// Example TypeScript tools, served beside the Python examples by `npm start`
// (node runtime-node/dist/src/main.js --ts-module runtime-node/dist/examples/typescript-tools.js).
import { defineTool, type ToolDefinition } from "@toolbridge/proto";

/** add: the sum of two numbers. */
export const add = defineTool<{ a: number; b: number }>({
  name: "add",
  description: "Add two numbers; returns {\"sum\": a + b}.",
  parameters: {
    type: "object",
    properties: { a: { type: "number" }, b: { type: "number" } },
    required: ["a", "b"],
    additionalProperties: false,
  },
  result: { type: "object", properties: { sum: { type: "number" } } },
  run: ({ args }) => ({ sum: args.a + args.b }),
});

/** slugify: a text as a URL slug. */
export const slugify = defineTool<{ text: string; separator?: string }>({
  name: "slugify",
  description: "Turn a text into a URL slug (lower case, ASCII letters and digits, words joined by a separator).",
  parameters: {
    type: "object",
    properties: {
      text: { type: "string", maxLength: 10_000 },
      separator: { type: "string", maxLength: 3, default: "-" },
    },
    required: ["text"],
    additionalProperties: false,
  },
  result: { type: "object", properties: { slug: { type: "string" } } },
  run: ({ args }) => {
    const separator = args.separator ?? "-";
    const words = args.text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w !== "");
    return { slug: words.join(separator) };
  },
});

/** text_report: calls two Python tools (word_count, reverse_text) through ctx.callTool, and combines their answers. */
export const textReport = defineTool<{ text: string }>({
  name: "text_report",
  description:
    "Describe a text with the help of the Python tools word_count and reverse_text (called from TypeScript through the " +
    "gateway, with the caller's session and rights); returns {words, reversed, slug}.",
  parameters: {
    type: "object",
    properties: { text: { type: "string", maxLength: 10_000 } },
    required: ["text"],
    additionalProperties: false,
  },
  run: async ({ args, ctx }) => {
    const [counted, reversed, slug] = await Promise.all([
      ctx.callTool("word_count", { text: args.text }),
      ctx.callTool("reverse_text", { text: args.text }),
      ctx.callTool("slugify", { text: args.text }),
    ]);
    return {
      words: (counted.value as { words: number }).words,
      reversed: (reversed.value as { result: string }).result,
      slug: (slug.value as { slug: string }).slug,
    };
  },
});

/** countdown: a streaming TypeScript tool. */
export const countdown = defineTool<{ from: number; delay_ms?: number }>({
  name: "countdown",
  description: "Stream the numbers from `from` down to 1, waiting delay_ms before each, with progress; returns \"liftoff\".",
  parameters: {
    type: "object",
    properties: { from: { type: "integer", minimum: 0, maximum: 10_000 }, delay_ms: { type: "integer", minimum: 0, maximum: 10_000 } },
    required: ["from"],
    additionalProperties: false,
  },
  async *stream({ args, ctx }) {
    for (let i = args.from; i >= 1; i--) {
      if (args.delay_ms) await new Promise((resolve) => setTimeout(resolve, args.delay_ms));
      ctx.signal.throwIfAborted();
      yield i;
      ctx.progress((args.from - i + 1) / args.from, `${i} to go`);
    }
    return "liftoff";
  },
});

/** The tools this module serves (what --ts-module reads). */
export const tools = [add, slugify, textReport, countdown] as Readonly<ToolDefinition>[];
