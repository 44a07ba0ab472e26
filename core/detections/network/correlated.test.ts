import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { authorizeIngress, revokeIngress, runInstances } from "../../../test/fixtures/events/cloudtrail.js";
import { at } from "../../../test/fixtures/events/scenarios.js";

/**
 * What a removal resolves follows what each detection reports: an instance launched into a group
 * is an incident about the group's SSH and risky ports, so revoking those resolves it even when a
 * world-open web port stays.
 */
describe("sg-risk-resolved: what a removal resolves", () => {
  const web = [{ from: 443, to: 443, cidrs: ["0.0.0.0/0"] }];
  const ssh = [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }];

  async function resolvedBy(records: unknown[]) {
    const findings = await detect(records);
    return of(findings, "sg-risk-resolved").flatMap((finding) => finding.resolves?.detections ?? []);
  }

  it("resolves the launch incident when SSH is revoked and only HTTPS stays open", async () => {
    const resolved = await resolvedBy([
      authorizeIngress("sg-0l", [...web, ...ssh], { time: at(0) }),
      runInstances(["sg-0l"], "i-0l", "eni-0l", { time: at(5) }),
      revokeIngress("sg-0l", ssh, { time: at(10) }),
    ]);

    expect(resolved).toContain("ec2-launched-with-open-sg");
    expect(resolved).toContain("sg-ssh-open-world");
    expect(resolved).not.toContain("sg-created-open");
  });

  it("leaves it open when HTTPS is revoked and SSH stays open", async () => {
    const resolved = await resolvedBy([
      authorizeIngress("sg-0l", [...web, ...ssh], { time: at(0) }),
      runInstances(["sg-0l"], "i-0l", "eni-0l", { time: at(5) }),
      revokeIngress("sg-0l", web, { time: at(10) }),
    ]);

    expect(resolved).not.toContain("ec2-launched-with-open-sg");
    expect(resolved).not.toContain("sg-ssh-open-world");
  });
});
