import { describe, expect, it } from "vitest";
import { summary } from "../test/fixtures.js";
import { parseLiveMessage } from "./messages.js";

describe("parseLiveMessage", () => {
  it("accepts the three message types", () => {
    const created = { v: 1, type: "incident.created", incident: summary() };
    const changed = {
      v: 1,
      type: "incident.changed",
      id: "a",
      status: "TRIAGED",
      version: 2,
      at: "2026-03-01T00:00:00Z",
    };

    expect(parseLiveMessage(JSON.stringify(created))).toEqual({ ok: true, message: created });
    expect(parseLiveMessage(JSON.stringify(changed))).toEqual({ ok: true, message: changed });
    expect(parseLiveMessage('{"v":1,"type":"heartbeat","at":"x"}').ok).toBe(true);
  });

  it("refuses malformed frames with a reason", () => {
    expect(parseLiveMessage("not json")).toEqual({ ok: false, reason: "frame is not JSON" });
    expect(parseLiveMessage('{"type":"incident.changed","id":"a","status":"HACKED","version":1,"at":"x"}')).toEqual({
      ok: false,
      reason: "status is not a known status",
    });
    expect(
      parseLiveMessage(JSON.stringify({ type: "incident.created", incident: { ...summary(), version: "2" } })),
    ).toEqual({
      ok: false,
      reason: "incident.version is not a number",
    });
    expect(parseLiveMessage('{"type":"shell"}')).toEqual({ ok: false, reason: "unknown message type" });
  });
});
