import { describe, expect, it } from "vitest";
import { incident } from "../test/fixtures.js";
import { decisionRow, mapLimited, matchesDecision } from "./decisions.js";

describe("decisionRow", () => {
  it("makes approvers, comments and decision reasons searchable", () => {
    const row = decisionRow(
      incident({
        decision: { route: "approval", reason: "Production-tagged group", plan: [] },
        approvals: [
          {
            id: "ap-1",
            decision: "approve",
            approver: "Bob@Example.com",
            at: "2026-03-01T10:05:00Z",
            via: "slack",
            comment: "known change",
          },
        ],
      }),
    );

    expect(matchesDecision(row, "bob@example.com")).toBe(true);
    expect(matchesDecision(row, "production KNOWN")).toBe(true);
    expect(matchesDecision(row, "mallory")).toBe(false);
  });
});

describe("mapLimited", () => {
  it("keeps order and never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimited([1, 2, 3, 4, 5], 2, async (value) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      return value * 10;
    });

    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
  });
});
