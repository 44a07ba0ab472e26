import { describe, expect, it } from "vitest";
import { config } from "../../test/remediation/fixtures.js";
import { permissionsFor } from "./permissions.js";
import { actionsInUse } from "./responses.js";

/**
 * The Security Hub, EventBridge and Route 53 Domains actions are granted only while the detection
 * that answers with them is enabled and not notify-only (issue 16).
 */

const CASES = [
  ["securityhub-disabled", "securityhub-enable", "securityhub:BatchEnableStandards"],
  ["eventbridge-rule-disabled", "eventbridge-enable-rule", "events:PutRule"],
  ["route53-domain-transfer", "route53-domain-relock", "route53domains:CancelDomainTransferToAnotherAwsAccount"],
] as const;

describe("service actions in use", () => {
  it.each(CASES)("%s grants %s by default", (_, action, permission) => {
    expect(actionsInUse(config())).toContain(action);
    expect(permissionsFor(actionsInUse(config()))).toContain(permission);
  });

  it.each(CASES)("%s disabled or notify-only grants nothing of %s", (detection, action, permission) => {
    for (const setting of [{ enabled: false }, { mode: "notify" as const }]) {
      const used = actionsInUse(config({ detections: { [detection]: setting } }));

      expect(used).not.toContain(action);
      expect(permissionsFor(used)).not.toContain(permission);
    }
  });
});
