import { Code, type ConnectError } from "@connectrpc/connect";
import { defineTool, toolError, type ToolDefinition } from "@toolbridge/proto";
import strftime from "strftime";
import { instantOf, type TimeZone, timeZoneOf, utcOf, type WallTime, wallTimeAt } from "./time-zones.js";

/** The strftime directives the `strftime` package implements (the C ones, plus a few of Ruby's). */
const directives = "AaBbCcDdeFHhIjkLlMmnoPpRrSsTtUuvWwXxYyZz%";
const flags = "-_0";

// ISO 8601 / RFC 3339: a date, optionally a time (seconds and fractions optional), optionally an offset.
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const minMs = utcOf({ year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 });
const maxMs = utcOf({ year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999 });

/**
 * format_datetime(datetime, format, timezone?): formats an instant with a strftime-style format (the
 * `strftime` package's directives: %Y-%m-%d %H:%M:%S, %A, %B, %j, %z, %:z, %Z, %s, %L, flags - _ 0)
 * in an IANA time zone (or a fixed offset such as "+05:30"; UTC by default). `datetime` is ISO 8601
 * (an offset or Z makes it an instant; without one it is a wall-clock time in `timezone`), a number
 * of Unix seconds, or "now". Returns {formatted, iso, timezone, utc_offset, abbreviation, unix}. A bad
 * date, format or zone is INVALID_ARGUMENT naming the argument.
 */
export function formatDatetimeTool(): ToolDefinition {
  return defineTool({
    name: "format_datetime",
    description:
      "Format a date and time with a strftime format (e.g. \"%A %d %B %Y, %H:%M %Z\") in an IANA time zone " +
      "(e.g. \"Asia/Tokyo\"; UTC by default) or a fixed offset (\"+05:30\"). datetime is ISO 8601 " +
      "(\"2024-03-10T15:00:00Z\"; without an offset it is read as a wall-clock time in the time zone), Unix " +
      "seconds, or \"now\". Returns {formatted, iso, timezone, utc_offset, abbreviation, unix}.",
    parameters: {
      type: "object",
      properties: {
        datetime: { type: ["string", "number"], maxLength: 64, description: "ISO 8601 text, Unix seconds, or \"now\"." },
        format: { type: "string", maxLength: 256, description: "A strftime format." },
        timezone: { type: "string", maxLength: 64, description: "An IANA time zone or a fixed offset; UTC if absent." },
      },
      required: ["datetime", "format"],
      additionalProperties: false,
    },
    result: {
      type: "object",
      properties: {
        formatted: { type: "string" },
        iso: { type: "string" },
        timezone: { type: "string" },
        utc_offset: { type: "string" },
        abbreviation: { type: "string" },
        unix: { type: "number" },
      },
    },
    run({ args }) {
      const zoneName = (args.timezone as string | undefined) ?? "UTC";
      const zone = timeZoneOf(zoneName);
      if (zone === undefined) {
        throw invalid("/timezone", `unknown time zone '${zoneName}': use an IANA name such as "Europe/Paris", "UTC", or an offset such as "+05:30"`);
      }
      const format = args.format as string;
      const epochMs = instantNamed(args.datetime as string | number, zone);
      const offset = zone.offsetMinutes(epochMs);
      const abbreviation = zone.abbreviation(epochMs);
      const formatted = strftime.timezone(offset)(prepare(format, abbreviation), new Date(epochMs));
      return {
        formatted,
        iso: iso(wallTimeAt(epochMs, offset), offset),
        timezone: zone.name,
        utc_offset: offsetText(offset),
        abbreviation,
        unix: epochMs / 1000,
      };
    },
  });
}

/** The instant the datetime argument names, checked. */
function instantNamed(datetime: string | number, zone: TimeZone): number {
  let epochMs: number;
  if (typeof datetime === "number") {
    if (!Number.isFinite(datetime)) throw invalid("/datetime", "datetime must be a finite number of Unix seconds");
    epochMs = Math.round(datetime * 1000);
  } else if (datetime.trim().toLowerCase() === "now") {
    epochMs = Date.now();
  } else {
    epochMs = parseIso(datetime.trim(), zone);
  }
  if (!(epochMs >= minMs && epochMs <= maxMs)) throw invalid("/datetime", "datetime must fall between the years 1 and 9999");
  return epochMs;
}

function parseIso(text: string, zone: TimeZone): number {
  const m = isoPattern.exec(text);
  if (m === null) {
    throw invalid("/datetime", `'${text}' is not an ISO 8601 date and time: use e.g. "2024-03-10", "2024-03-10T15:04:05Z" or "2024-03-10T15:04:05+01:00"`);
  }
  const fraction = (m[7] ?? "0").padEnd(3, "0").slice(0, 3);
  const wall: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: Number(fraction),
  };
  const check = new Date(utcOf(wall));
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59 || check.getUTCMonth() + 1 !== wall.month || check.getUTCDate() !== wall.day) {
    throw invalid("/datetime", `'${text}' is not a real date and time`);
  }
  if (m[8] !== undefined) return utcOf(wall);
  if (m[9] !== undefined) {
    const hours = Number(m[10]);
    const minutes = Number(m[11]);
    if (hours > 23 || minutes > 59) throw invalid("/datetime", `'${text}' has an impossible UTC offset`);
    return utcOf(wall) - (m[9] === "-" ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  return instantOf(zone, wall);
}

/**
 * Checks every directive (the package prints unknown ones as they are, which would hide a typo) and
 * puts the zone's abbreviation in place of %Z (the package only knows the host's own zone's name).
 */
function prepare(format: string, abbreviation: string): string {
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== "%") {
      out += c;
      continue;
    }
    let j = i + 1;
    while (j < format.length && flags.includes(format[j])) j++;
    if (format[j] === ":" && format[j + 1] === "z") j++;
    const directive = format[j];
    if (directive === undefined) throw invalid("/format", `the format ends with an unfinished directive at position ${i}`);
    if (!directives.includes(directive)) {
      throw invalid("/format", `unknown directive %${directive} at position ${i}; supported: ${[...directives].map((d) => `%${d}`).join(" ")}`);
    }
    out += directive === "Z" ? abbreviation.replaceAll("%", "%%") : format.slice(i, j + 1);
    i = j;
  }
  return out;
}

function iso(wall: WallTime, offset: number): string {
  const p = (n: number, width = 2) => String(n).padStart(width, "0");
  const ms = wall.millisecond === 0 ? "" : `.${p(wall.millisecond, 3)}`;
  const zone = offset === 0 ? "Z" : offsetText(offset);
  return `${p(wall.year, 4)}-${p(wall.month)}-${p(wall.day)}T${p(wall.hour)}:${p(wall.minute)}:${p(wall.second)}${ms}${zone}`;
}

function offsetText(offset: number): string {
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function invalid(field: string, message: string): ConnectError {
  return toolError(Code.InvalidArgument, message, { field, type: "InvalidArguments" });
}
