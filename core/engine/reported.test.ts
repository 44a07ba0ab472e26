import { describe, expect, it } from "vitest";
import { incidentIdFor } from "../incidents/id.js";
import { ReportedIncidents } from "./reported.js";

describe("ReportedIncidents", () => {
  it("knows an incident again by its detection and events, in any order", () => {
    const reported = new ReportedIncidents();

    const first = reported.firstOf({ detection: "sg-ssh-open-world", eventIds: ["e1", "e2"] });
    const again = reported.firstOf({ detection: "sg-ssh-open-world", eventIds: ["e2", "e1"] });

    expect(first).toBe(true);
    expect(again).toBe(false);
    expect(reported.size).toBe(1);
  });

  it("tells incidents apart exactly when their ids differ", () => {
    const reported = new ReportedIncidents();
    const findings = [
      { detection: "sg-ssh-open-world", eventIds: ["e1"] },
      { detection: "sg-high-risk-port-open", eventIds: ["e1"] },
      { detection: "sg-ssh-open-world", eventIds: ["e1", "e2"] },
      { detection: "sg-ssh-open-world", eventIds: ["e2"] },
    ] as const;

    const firsts = findings.map((finding) => reported.firstOf(finding));

    expect(new Set(findings.map((finding) => incidentIdFor(finding))).size).toBe(findings.length);
    expect(firsts).toEqual([true, true, true, true]);
    expect(reported.size).toBe(findings.length);
  });
});
