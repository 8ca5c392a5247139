import { Code } from "@connectrpc/connect";
import { errorInfoOf } from "@toolbridge/proto";
import { describe, expect, it } from "vitest";
import { failure, runTool } from "../../../test/support/run-tool.js";
import { validateRegexTool } from "./validate-regex.js";

const tool = validateRegexTool();
const run = async (args: Record<string, unknown>, t = tool) => (await runTool(t, args as never)).value as Record<string, any>;

describe("validate_regex", () => {
  it("finds every match with its groups, named groups and positions", async () => {
    const result = await run({ pattern: "(?P<year>\\d{4})-(\\d{2})(x)?", text: "from 2024-05 to 2025-11" });
    expect(result).toEqual({
      valid: true,
      matched: true,
      full_match: false,
      match_count: 2,
      truncated: false,
      matches: [
        { match: "2024-05", index: 5, end: 12, groups: ["2024", "05", null], named_groups: { year: "2024" } },
        { match: "2025-11", index: 16, end: 23, groups: ["2025", "11", null], named_groups: { year: "2025" } },
      ],
    });
  });

  it("tells a full match, no match, and applies flags", async () => {
    expect(await run({ pattern: "[a-z]+@[a-z]+\\.org", text: "me@example.org" })).toMatchObject({ matched: true, full_match: true });
    expect(await run({ pattern: "ABC", text: "abc" })).toMatchObject({ valid: true, matched: false, match_count: 0, matches: [] });
    expect(await run({ pattern: "ABC", text: "abc", flags: "i" })).toMatchObject({ matched: true, full_match: true });
    expect((await run({ pattern: "^b$", text: "a\nb\nc", flags: "m" })).matches).toEqual([
      { match: "b", index: 2, end: 3, groups: [], named_groups: {} },
    ]);
    expect((await run({ pattern: "a.b", text: "a\nb", flags: "s" })).matched).toBe(true);
  });

  it("counts positions in UTF-16 code units, as JavaScript strings do", async () => {
    expect((await run({ pattern: "😀(.)", text: "a😀xb" })).matches[0]).toMatchObject({ match: "😀x", index: 1, end: 4, groups: ["x"] });
  });

  it("answers a syntax error with valid false, not a failure", async () => {
    expect(await run({ pattern: "(unclosed", text: "x" })).toEqual({
      valid: false,
      error: "error parsing regexp: missing closing ): `(unclosed`",
      matched: false,
      full_match: false,
      match_count: 0,
      matches: [],
      truncated: false,
    });
  });

  it("refuses backreferences and lookaround with INVALID_ARGUMENT saying RE2 has none", async () => {
    for (const [pattern, what] of [["(a)\\1", "backreferences"], ["a(?=b)", "lookahead and lookbehind"], ["(?<!a)b", "lookahead and lookbehind"], ["(?>a)", "atomic groups"]]) {
      const error = await failure(run({ pattern, text: "ab" }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(errorInfoOf(error)).toMatchObject({ field: "/pattern", type: "UnsupportedSyntax" });
      expect(error.rawMessage).toMatch(new RegExp(`uses ${what}, which RE2 syntax does not have`));
    }
  });

  it("matches a catastrophic pattern in linear time", async () => {
    const text = `${"a".repeat(50_000)}!`;
    expect(await run({ pattern: "(a+)+$", text })).toMatchObject({ valid: true, matched: false });
    expect(await run({ pattern: "(a|aa)+$", text })).toMatchObject({ valid: true, matched: false });
  });

  it("refuses work over the bound before matching, with RESOURCE_EXHAUSTED", async () => {
    const error = await failure(run({ pattern: "[a-z]{1,100}[0-9]{1,100}!", text: "a".repeat(50_000) }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/^matching this pattern \(\d+ RE2 instructions\) against 50000 characters could take up to \d+ steps/);
    const huge = await failure(run({ pattern: "[a-z]{1000}".repeat(30), text: "a" }));
    expect(huge.code).toBe(Code.ResourceExhausted);
    expect(huge.rawMessage).toMatch(/compiles to \d+ RE2 instructions; at most 20000/);
  });

  it("stops with DEADLINE_EXCEEDED when matching outlasts its time limit", async () => {
    const strict = validateRegexTool({ timeLimitMs: 1, maxWork: 1e12 });
    const error = await failure(run({ pattern: "(\\w+\\s?)+x", text: "word ".repeat(20_000) }, strict));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(error.rawMessage).toMatch(/^matching took longer than 1 ms/);
  });

  it("caps the matches reported", async () => {
    const capped = validateRegexTool({ maxMatches: 3 });
    expect(await run({ pattern: "a", text: "aaaaa" }, capped)).toMatchObject({ match_count: 3, truncated: true });
  });

  it("bounds the pattern, the text and the flags by its schema", async () => {
    const small = validateRegexTool({ maxPatternLength: 5, maxTextLength: 5 });
    expect(errorInfoOf(await failure(run({ pattern: "abcdef", text: "" }, small))).field).toBe("/pattern");
    expect(errorInfoOf(await failure(run({ pattern: "a", text: "abcdef" }, small))).field).toBe("/text");
    expect(errorInfoOf(await failure(run({ pattern: "a", text: "a", flags: "x" }))).field).toBe("/flags");
  });
});
