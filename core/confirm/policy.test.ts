import { describe, expect, it } from "vitest";
import { config, enrichment, incident, score, sshOpenFacts } from "../../test/remediation/fixtures.js";
import { decide } from "../remediation/policy.js";

/** Which decisions carry "was this you?": remediations of listed detections, not made-up intake events. */
describe("the decision's confirmation", () => {
  const sg = incident("sg-ssh-open-world", sshOpenFacts("sgr-0123456789abcdef0"));
  const listed = { confirmation: { detections: ["sg-ssh-open-world"], timeoutMinutes: 20, keepHoursMax: 3 } };
  const base = { incident: sg, enrichment: enrichment(), score: score(70), mode: "live" as const };

  it("is set for a listed detection's remediation, with the configured timeout and hours", () => {
    const decision = decide({ ...base, config: config(listed) });
    expect(decision.route).toBe("auto");
    expect(decision.confirmation).toEqual({ timeoutSeconds: 1200, keepHours: 3 });
  });

  it("is absent when off, below the remediation threshold, or for events posted to the intake", () => {
    expect(decide({ ...base, config: config() }).confirmation).toBeUndefined();
    expect(decide({ ...base, score: score(20), config: config(listed) }).confirmation).toBeUndefined();
    const intake = { ...sg, fromIntake: true };
    expect(decide({ ...base, incident: intake, config: config(listed) }).confirmation).toBeUndefined();
    const trusted = config({ ...listed, remediation: { autoRemediateIntake: true } });
    expect(decide({ ...base, incident: intake, config: trusted }).confirmation).toBeDefined();
  });
});
