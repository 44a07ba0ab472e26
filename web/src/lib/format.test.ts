import { describe, expect, it } from "vitest";
import { formatDuration, formatRelative, formatTime, prettyJson, wrapLabel } from "./format.js";

describe("format", () => {
  it("shows times in UTC and leaves non-dates alone", () => {
    expect(formatTime("2026-03-01T14:02:09.500Z")).toBe("2026-03-01 14:02:09 UTC");
    expect(formatTime("not a date")).toBe("not a date");
    expect(formatTime(undefined)).toBe("—");
  });

  it("formats durations across units", () => {
    expect(formatDuration(0.25)).toBe("250 ms");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(formatDuration(7500)).toBe("2 h 5 min");
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe("3 d 4 h");
    expect(formatDuration(undefined)).toBe("—");
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(formatRelative("2026-03-01T11:59:50Z", now)).toBe("just now");
    expect(formatRelative("2026-03-01T11:55:00Z", now)).toBe("5 min ago");
    expect(formatRelative("2026-02-27T12:00:00Z", now)).toBe("2 d ago");
    // A little ahead (a coarse clock, a server clock that runs fast) still reads as now.
    expect(formatRelative("2026-03-01T12:00:20Z", now)).toBe("just now");
    expect(formatRelative("2026-03-01T13:00:00Z", now)).toBe("in the future");
  });

  it("pretty-prints JSON held in strings and keeps other text as is", () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson("<script>")).toBe("<script>");
  });

  it("wraps labels at spaces into at most two lines, cutting the rest", () => {
    expect(wrapLabel("Verify the fix", 30)).toEqual(["Verify the fix"]);
    expect(wrapLabel("Approval timed out: apply the policy's default", 30)).toEqual([
      "Approval timed out: apply the",
      "policy's default",
    ]);
    expect(wrapLabel("a".repeat(70), 30)).toEqual(["a".repeat(30), `${"a".repeat(29)}…`]);
  });
});
