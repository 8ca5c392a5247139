import { Code } from "@connectrpc/connect";
import { errorInfoOf } from "@toolbridge/proto";
import { describe, expect, it } from "vitest";
import { failure, runTool } from "../../../test/support/run-tool.js";
import { formatDatetimeTool } from "./format-datetime.js";

const tool = formatDatetimeTool();
const run = async (args: Record<string, unknown>) => (await runTool(tool, args as never)).value as Record<string, unknown>;

describe("format_datetime", () => {
  it("formats an instant in UTC by default", async () => {
    expect(await run({ datetime: "2024-03-10T15:04:05Z", format: "%Y-%m-%d %H:%M:%S %A %B %j %z %Z" })).toEqual({
      formatted: "2024-03-10 15:04:05 Sunday March 070 +0000 UTC",
      iso: "2024-03-10T15:04:05Z",
      timezone: "UTC",
      utc_offset: "+00:00",
      abbreviation: "UTC",
      unix: 1710083045,
    });
  });

  it("computes an IANA zone's offset at the instant, daylight saving time included", async () => {
    const winter = await run({ datetime: "2024-01-15T12:00:00Z", format: "%H:%M %Z %z", timezone: "America/New_York" });
    expect(winter).toMatchObject({ formatted: "07:00 EST -0500", iso: "2024-01-15T07:00:00-05:00", utc_offset: "-05:00" });
    const summer = await run({ datetime: "2024-07-15T12:00:00Z", format: "%H:%M %Z %:z", timezone: "America/New_York" });
    expect(summer).toMatchObject({ formatted: "08:00 EDT -04:00", utc_offset: "-04:00" });
    const kolkata = await run({ datetime: "2024-07-15T12:00:00Z", format: "%H:%M %z", timezone: "Asia/Kolkata" });
    expect(kolkata.formatted).toBe("17:30 +0530");
  });

  it("reads a time without an offset as a wall-clock time in the zone", async () => {
    const tokyo = await run({ datetime: "2024-03-10 09:30", format: "%H:%M", timezone: "Asia/Tokyo" });
    expect(tokyo).toMatchObject({ formatted: "09:30", iso: "2024-03-10T09:30:00+09:00", unix: 1710030600 });
    // 02:30 does not exist in New York on 2024-03-10: the clock jumps from 02:00 EST to 03:00 EDT.
    const gap = await run({ datetime: "2024-03-10T02:30:00", format: "%H:%M %Z", timezone: "America/New_York" });
    expect(gap.formatted).toBe("03:30 EDT");
    // 01:30 happens twice on 2024-11-03: the earlier one (EDT) is taken.
    const overlap = await run({ datetime: "2024-11-03T01:30:00", format: "%H:%M %Z", timezone: "America/New_York" });
    expect(overlap.formatted).toBe("01:30 EDT");
  });

  it("takes an explicit offset, a fixed-offset zone, Unix seconds and milliseconds", async () => {
    expect((await run({ datetime: "2024-03-10T15:04:05.250+02:00", format: "%H:%M:%S.%L", timezone: "UTC" })).formatted).toBe("13:04:05.250");
    expect(await run({ datetime: 0, format: "%F %T", timezone: "+05:30" })).toMatchObject({
      formatted: "1970-01-01 05:30:00",
      iso: "1970-01-01T05:30:00+05:30",
      abbreviation: "UTC+05:30",
    });
    expect((await run({ datetime: 1710083045, format: "%s" })).formatted).toBe("1710083045");
  });

  it("formats now", async () => {
    const before = Date.now() / 1000;
    const result = await run({ datetime: "now", format: "%Y" });
    expect(result.unix as number).toBeGreaterThanOrEqual(Math.floor(before));
    expect(result.formatted).toBe(String(new Date().getUTCFullYear()));
  });

  it("refuses a bad date, format or zone with INVALID_ARGUMENT naming it", async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ datetime: "yesterday", format: "%F" }, "/datetime", /is not an ISO 8601 date/],
      [{ datetime: "2024-02-30", format: "%F" }, "/datetime", /is not a real date/],
      [{ datetime: "2024-01-01T24:00:00Z", format: "%F" }, "/datetime", /is not a real date/],
      [{ datetime: 1e15, format: "%F" }, "/datetime", /between the years 1 and 9999/],
      [{ datetime: "2024-01-01", format: "%Q" }, "/format", /unknown directive %Q at position 0/],
      [{ datetime: "2024-01-01", format: "100%" }, "/format", /unfinished directive at position 3/],
      [{ datetime: "2024-01-01", format: "%F", timezone: "Mars/Olympus" }, "/timezone", /unknown time zone 'Mars\/Olympus'/],
      [{ datetime: "2024-01-01", format: "%F", timezone: "+25:00" }, "/timezone", /unknown time zone/],
    ];
    for (const [args, field, message] of cases) {
      const error = await failure(run(args));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(errorInfoOf(error).field).toBe(field);
      expect(error.rawMessage).toMatch(message);
    }
    const tooLong = await failure(run({ datetime: "2024-01-01", format: "%F".repeat(200) }));
    expect(errorInfoOf(tooLong).field).toBe("/format");
  });

  it("keeps a literal %% and the padding flags", async () => {
    expect((await run({ datetime: "2024-03-05T07:08:09Z", format: "100%% %-d %_m %e %k" })).formatted).toBe("100% 5  3  5  7");
  });
});
