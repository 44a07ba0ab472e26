import { describe, expect, it } from "vitest";
import { canTransition, INCIDENT_STATUSES } from "./status.js";

describe("canTransition", () => {
  it.each([
    ["NEW", "TRIAGED", true],
    ["TRIAGED", "AWAITING_APPROVAL", true],
    ["TRIAGED", "PROCESSING", true],
    ["AWAITING_APPROVAL", "PROCESSING", true],
    ["PROCESSING", "MITIGATED", true],
    ["TRIAGED", "DISMISSED", true],
    ["NOTIFIED", "RESOLVED", true],
    ["NEW", "SUPPRESSED", true],
    ["SUPPRESSED", "RESOLVED", true],
    ["SUPPRESSED", "NOTIFIED", false],
    ["SUPPRESSED", "TRIAGED", false],
    ["MITIGATED", "PROCESSING", false],
    ["MITIGATED", "FAILED", false],
    ["PROCESSING", "TRIAGED", false],
    ["RESOLVED", "MITIGATED", false],
  ] as const)("%s → %s is %s", (from, to, expected) => {
    expect(canTransition(from, to)).toBe(expected);
  });

  it("never allows staying in the same status", () => {
    for (const status of INCIDENT_STATUSES) expect(canTransition(status, status)).toBe(false);
  });
});
