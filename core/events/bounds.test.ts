import { describe, expect, it } from "vitest";
import { authorizeIngress, consoleLogin } from "../../test/fixtures/events/cloudtrail.js";
import type { SecurityEvent } from "../model/event.js";
import { type EventBounds, eventBoundsProblem } from "./bounds.js";
import { normalizeRecords } from "./index.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const BOUNDS: EventBounds = { maxEventBytes: 64 * 1024, maxFieldBytes: 8 * 1024, maxFutureSkewMs: 15 * 60_000 };

function eventOf(record: unknown): SecurityEvent {
  const { events, errors } = normalizeRecords(record);
  expect(errors).toEqual([]);
  return events[0]!;
}

describe("eventBoundsProblem", () => {
  it("accepts an ordinary record, and one dated up to the allowed skew ahead of the clock", () => {
    const ordinary = eventOf(consoleLogin(false, { time: "2026-06-01T11:59:00Z" }));
    const slightlyAhead = eventOf(consoleLogin(false, { time: "2026-06-01T12:15:00Z" }));

    expect(eventBoundsProblem(ordinary, BOUNDS, NOW)).toBeUndefined();
    expect(eventBoundsProblem(slightlyAhead, BOUNDS, NOW)).toBeUndefined();
  });

  it("refuses an event time further ahead than the skew, naming the time and the clock", () => {
    const ahead = eventOf(consoleLogin(false, { time: "2026-06-01T12:15:01Z" }));
    const far = eventOf(consoleLogin(false, { time: "2099-01-01T00:00:00Z" }));

    expect(eventBoundsProblem(ahead, BOUNDS, NOW)).toBe(
      "eventTime 2026-06-01T12:15:01Z is in the future (server time 2026-06-01T12:00:00.000Z; at most 15 minutes ahead is accepted)",
    );
    expect(eventBoundsProblem(far, BOUNDS, NOW)).toMatch(/^eventTime 2099-01-01T00:00:00Z is in the future/);
  });

  it("refuses a string field over the field bound, naming its path, at any depth and in UTF-8 bytes", () => {
    const userAgent = eventOf(consoleLogin(false, { userAgent: "A".repeat(1024 * 1024) }));
    // 3000 characters of three bytes each: under the bound in characters, over it in bytes.
    const nested = eventOf(
      authorizeIngress("sg-1", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"], description: "€".repeat(3000) }]),
    );

    expect(eventBoundsProblem(userAgent, BOUNDS, NOW)).toBe(
      "record.userAgent is 1024 KiB; a single field may hold at most 8 KiB",
    );
    expect(eventBoundsProblem(nested, BOUNDS, NOW)).toBe(
      "record.requestParameters.ipPermissions.items[0].ipRanges.items[0].description is 8.8 KiB; a single field may hold at most 8 KiB",
    );
  });

  it("refuses an oversized key without repeating it", () => {
    const record = { ...consoleLogin(false), additionalEventData: { ["k".repeat(9000)]: "v" } };

    expect(eventBoundsProblem(eventOf(record), BOUNDS, NOW)).toBe(
      "a key in record.additionalEventData is 8.8 KiB; a single field may hold at most 8 KiB",
    );
  });

  it("refuses a record over the event bound made of fields each within theirs", () => {
    const record = {
      ...consoleLogin(false),
      additionalEventData: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`part${i}`, "x".repeat(7 * 1024)])),
    };

    expect(eventBoundsProblem(eventOf(record), BOUNDS, NOW)).toMatch(
      /^the record is 7\d(\.\d)? KiB; an event may be at most 64 KiB$/,
    );
  });

  it("walks a deeply nested record without exhausting the stack", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const event = { ...eventOf(consoleLogin(false)), raw: { nested: deep, big: "y".repeat(9000) } } as SecurityEvent;
    const withinFields = { ...event, raw: { nested: deep } } as SecurityEvent;

    expect(eventBoundsProblem(event, BOUNDS, NOW)).toBe("record.big is 8.8 KiB; a single field may hold at most 8 KiB");
    expect(eventBoundsProblem(withinFields, BOUNDS, NOW)).toBe("the record is nested too deeply to be stored");
  });
});

describe("normalizeRecords with intake bounds", () => {
  it("reports a refused record by its index and keeps the others", () => {
    const body = {
      Records: [
        consoleLogin(false, { time: "2026-06-01T11:00:00Z" }),
        consoleLogin(false, { time: "2099-01-01T00:00:00Z" }),
        "not a record",
        consoleLogin(false, { time: "2026-06-01T11:01:00Z" }),
      ],
    };

    const { events, errors } = normalizeRecords(body, "api", (event) => eventBoundsProblem(event, BOUNDS, NOW));

    expect(events.map((event) => event.time)).toEqual(["2026-06-01T11:00:00Z", "2026-06-01T11:01:00Z"]);
    expect(errors).toEqual([
      { index: 1, error: expect.stringMatching(/^eventTime 2099-01-01T00:00:00Z is in the future/) },
      { index: 2, error: "a Records entry is not an object" },
    ]);
  });
});
