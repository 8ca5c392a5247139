import { BoundedCache } from "../../util/bounded-cache.js";

// Time zones through Intl (which carries the IANA database on Node and in workerd): a zone's offset
// from UTC at an instant, its abbreviation, and the instant of a wall-clock time in it. Fixed
// offsets ("+05:30", "-08:00") are computed directly, since Intl takes them only in newer engines.

/** A time zone: an IANA name, "UTC", or a fixed offset. */
export interface TimeZone {
  /** The name as given ("Europe/Paris", "+05:30"). */
  readonly name: string;
  /** Minutes east of UTC at the instant (ms since the epoch). */
  offsetMinutes(epochMs: number): number;
  /** Its abbreviation at the instant ("CET", "EST", "GMT+5:30", "UTC"). */
  abbreviation(epochMs: number): string;
}

/** Wall-clock fields of a date, month 1-12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const fixedOffset = /^([+-])(\d{2}):?(\d{2})$/;
const zones = new BoundedCache<string, TimeZone>(256);
const forever = 2 ** 31 - 1;

/** The zone of this name; undefined when Intl knows no such zone and it is not a fixed offset. */
export function timeZoneOf(name: string): TimeZone | undefined {
  const cached = zones.get(name);
  if (cached !== undefined) return cached;
  const zone = fixed(name) ?? named(name);
  if (zone !== undefined) zones.set(name, zone, forever);
  return zone;
}

/**
 * The instant (ms since the epoch) at which the wall clock in `zone` shows `wall`, as Temporal's
 * "compatible" disambiguation has it: in an overlap (fall back) the earlier instant, in a gap
 * (spring forward) the time as read with the offset before the gap, which lands after it.
 */
export function instantOf(zone: TimeZone, wall: WallTime): number {
  const asUtc = utcOf(wall);
  const day = 86_400_000;
  const before = zone.offsetMinutes(asUtc - day);
  const after = zone.offsetMinutes(asUtc + day);
  const candidates = [before, after]
    .map((offset) => asUtc - offset * 60_000)
    .filter((instant, i) => zone.offsetMinutes(instant) === [before, after][i]);
  return candidates.length > 0 ? Math.min(...candidates) : asUtc - before * 60_000;
}

/** The wall-clock fields of an instant at a given offset. */
export function wallTimeAt(epochMs: number, offsetMinutes: number): WallTime {
  const d = new Date(epochMs + offsetMinutes * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

/** ms since the epoch of wall-clock fields read as UTC (years below 100 too, unlike Date.UTC). */
export function utcOf(wall: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  d.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return d.getTime();
}

function fixed(name: string): TimeZone | undefined {
  const match = fixedOffset.exec(name);
  if (match === null) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return undefined;
  const offset = (match[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
  const label = offset === 0 ? "UTC" : `UTC${match[1]}${match[2]}:${match[3]}`;
  return { name, offsetMinutes: () => offset, abbreviation: () => label };
}

function named(name: string): TimeZone | undefined {
  let fields: Intl.DateTimeFormat;
  let short: Intl.DateTimeFormat;
  try {
    fields = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    short = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "short" });
  } catch {
    return undefined;
  }
  return {
    name: fields.resolvedOptions().timeZone,
    offsetMinutes(epochMs) {
      const seconds = Math.floor(epochMs / 1000) * 1000;
      const parts: Record<string, string> = {};
      for (const part of fields.formatToParts(seconds)) parts[part.type] = part.value;
      const year = parts.era === "BC" || parts.era === "B" ? 1 - Number(parts.year) : Number(parts.year);
      const wall = { year, month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second), millisecond: 0 };
      return Math.round((utcOf(wall) - seconds) / 60_000);
    },
    abbreviation(epochMs) {
      return short.formatToParts(epochMs).find((p) => p.type === "timeZoneName")?.value ?? name;
    },
  };
}
