import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { defineTool, toolError, type ToolDefinition } from "@toolbridge/proto";
import { type Matcher, RE2JS, RE2JSException } from "re2js";

/** Options of validateRegexTool: the bounds that keep one call short. */
export interface ValidateRegexOptions {
  /** Longest pattern, in characters. Default 500. */
  maxPatternLength?: number;
  /** Longest text, in characters. Default 100000. */
  maxTextLength?: number;
  /** Largest compiled program (RE2 instructions; `a{1000}` alone is a thousand). Default 20000. */
  maxProgramSize?: number;
  /**
   * Most work one scan of the text may take, as program size x (text length + 1): RE2 matches in
   * time linear in both, about 10-25 ns per unit on this code base's machines, so the default
   * 5000000 keeps any one scan near 100 ms. Over it, the call is RESOURCE_EXHAUSTED before matching.
   */
  maxWork?: number;
  /** Time the whole matching may take, checked between matches. Default 250 ms. Past it: DEADLINE_EXCEEDED. */
  timeLimitMs?: number;
  /** Most matches reported; past it `truncated` is true. Default 1000. */
  maxMatches?: number;
}

/** One match as validate_regex reports it. */
export interface RegexMatch extends JsonObject {
  /** The matched text. */
  match: string;
  /** Where it starts and ends in the text, in UTF-16 code units (JavaScript string indices). */
  index: number;
  end: number;
  /** The capturing groups in order; null for a group that took no part in the match. */
  groups: (string | null)[];
  /** The named groups ((?P<name>...) or (?<name>...)); null for one that took no part. */
  named_groups: { [name: string]: string | null };
}

// What RE2 leaves out on purpose (it would need backtracking): named so the refusal can say so.
const unsupported: [RegExp, string][] = [
  [/\\[1-9]|\\k</, "backreferences"],
  [/\(\?<?[=!]/, "lookahead and lookbehind"],
  [/\(\?>/, "atomic groups"],
  [/[*+?}]\+/, "possessive quantifiers"],
];

const flagBits: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, g: 0, u: 0 };

/**
 * validate_regex(pattern, text, flags?): compiles `pattern` with re2js (a pure-JavaScript RE2, so
 * matching time is linear in the pattern and the text: `(a+)+$` cannot blow up) and finds its
 * matches in `text`. Returns {valid, error?, matched, full_match, match_count, matches: [{match,
 * index, end, groups, named_groups}], truncated}; a pattern with a syntax error is {valid: false,
 * error}, not a failure. RE2 syntax: no backreferences, lookaround, atomic groups or possessive
 * quantifiers (INVALID_ARGUMENT saying so). Bounds: pattern and text length, program size, and the
 * work of a scan (program size x text length: RESOURCE_EXHAUSTED before matching) and the time of
 * the whole matching (checked between matches: DEADLINE_EXCEEDED). On Workers the clock does not
 * advance while code runs, so there the work bound is what holds.
 */
export function validateRegexTool(options: ValidateRegexOptions = {}): ToolDefinition {
  const maxPatternLength = options.maxPatternLength ?? 500;
  const maxTextLength = options.maxTextLength ?? 100_000;
  const maxProgramSize = options.maxProgramSize ?? 20_000;
  const maxWork = options.maxWork ?? 5_000_000;
  const timeLimitMs = options.timeLimitMs ?? 250;
  const maxMatches = options.maxMatches ?? 1000;
  return defineTool({
    name: "validate_regex",
    description:
      "Check a regular expression and find its matches in a text. RE2 syntax (as in Go and re2): no " +
      "backreferences, lookahead, lookbehind, atomic groups or possessive quantifiers; named groups as " +
      "(?P<name>...) or (?<name>...). Flags: i (ignore case), m (^ and $ at line ends), s (. matches newline). " +
      "Returns {valid, error?, matched, full_match, match_count, matches: [{match, index, end, groups, " +
      "named_groups}], truncated}; a syntax error gives valid false and the error. Matching is linear-time " +
      `and bounded: pattern up to ${maxPatternLength} characters, text up to ${maxTextLength}, about ${timeLimitMs} ms.`,
    parameters: {
      type: "object",
      properties: {
        pattern: { type: "string", maxLength: maxPatternLength, description: "The regular expression (RE2 syntax)." },
        text: { type: "string", maxLength: maxTextLength, description: "The text to search." },
        flags: { type: "string", pattern: "^[imsgu]*$", maxLength: 8, description: "Any of i, m, s (g and u are accepted and change nothing)." },
      },
      required: ["pattern", "text"],
      additionalProperties: false,
    },
    run({ args, ctx }) {
      const pattern = args.pattern as string;
      const text = args.text as string;
      let flags = 0;
      for (const flag of (args.flags as string | undefined) ?? "") flags |= flagBits[flag];
      let re: RE2JS;
      try {
        re = RE2JS.compile(pattern, flags);
      } catch (err) {
        if (!(err instanceof RE2JSException)) throw err;
        const missing = unsupported.find(([construct]) => construct.test(pattern));
        if (missing !== undefined) {
          throw toolError(
            Code.InvalidArgument,
            `the pattern uses ${missing[1]}, which RE2 syntax does not have (it matches in linear time, without backtracking): ${err.message}`,
            { field: "/pattern", type: "UnsupportedSyntax" },
          );
        }
        return { valid: false, error: err.message, matched: false, full_match: false, match_count: 0, matches: [], truncated: false };
      }
      const size = re.programSize();
      if (size > maxProgramSize) {
        throw toolError(Code.ResourceExhausted, `the pattern compiles to ${size} RE2 instructions; at most ${maxProgramSize} are allowed: simplify it (large {n,m} counts cost n instructions each)`, {
          field: "/pattern",
        });
      }
      const work = size * (text.length + 1);
      if (work > maxWork) {
        throw toolError(
          Code.ResourceExhausted,
          `matching this pattern (${size} RE2 instructions) against ${text.length} characters could take up to ${work} steps, ` +
            `more than the ${maxWork} allowed (about ${timeLimitMs} ms): shorten the text or simplify the pattern`,
          { field: "/text" },
        );
      }
      return scan(re, text, { timeLimitMs, maxMatches, signal: ctx.signal });
    },
  });
}

function scan(re: RE2JS, text: string, limits: { timeLimitMs: number; maxMatches: number; signal: AbortSignal }) {
  const started = performance.now();
  const checkTime = (found: number) => {
    if (limits.signal.aborted) throw ConnectError.from(limits.signal.reason);
    const elapsed = performance.now() - started;
    if (elapsed > limits.timeLimitMs) {
      throw toolError(
        Code.DeadlineExceeded,
        `matching took longer than ${limits.timeLimitMs} ms (stopped after ${found} matches in ${Math.round(elapsed)} ms): shorten the text or simplify the pattern`,
        { field: "/text" },
      );
    }
  };
  const names = Object.entries(re.namedGroups());
  const matches: RegexMatch[] = [];
  const matcher = re.matcher(text);
  let truncated = false;
  while (matcher.find()) {
    if (matches.length === limits.maxMatches) {
      truncated = true;
      break;
    }
    matches.push(matchOf(matcher, names));
    checkTime(matches.length);
  }
  const fullMatch = re.testExact(text);
  checkTime(matches.length);
  return {
    valid: true,
    matched: matches.length > 0,
    full_match: fullMatch,
    match_count: matches.length,
    matches,
    truncated,
  };
}

function matchOf(matcher: Matcher, names: [string, number][]): RegexMatch {
  const groups: (string | null)[] = [];
  for (let g = 1; g <= matcher.groupCount(); g++) groups.push(matcher.group(g));
  const named: { [name: string]: string | null } = {};
  for (const [name, index] of names) named[name] = matcher.group(index);
  return { match: matcher.group() ?? "", index: matcher.start(), end: matcher.end(), groups, named_groups: named };
}
