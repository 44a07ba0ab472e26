import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { getDetection } from "../../core/detections/catalog.js";
import { hasLiveValues } from "../../core/remediation/aws/calls.js";
import { explainPlan } from "../../core/remediation/policy.js";
import { actionDependsOnFinding } from "../../core/remediation/responses.js";
import { detect, of } from "../detections/harness.js";
import { SCENARIOS } from "../fixtures/events/scenarios.js";

/**
 * The detections' findings, from real AWS record formats, planned by remediation: every finding
 * of a detection that has an action either gets an exact plan from its facts, or a reason that
 * names a real limit (root, a deleted trail, a tampering StartLogging does not undo…) — never a
 * complaint that the facts are malformed.
 */

const LEGITIMATE_LIMITS = [
  /root user cannot carry IAM policies/,
  /root access keys/,
  /recreate the trail/,
  /StartLogging does not undo/,
  /hides the user name/,
  /trusted range/,
  /temporary \(STS\) credential/,
  /has no matching remediation|no remediation applies/,
  /nothing to restore or remove/,
  /name neither a security group with its rules nor an instance/,
  /cannot bring it back/,
  /root user with its MFA device/,
  /the previous entry .* cannot be restored/,
  /would leave the key without a key policy/,
  // A trust policy of open statements only: removing them would leave none (iam-restore-role-trust).
  /would leave no trust policy/,
  /trust policy of role .* cannot be read/,
  /is not one of Riposte's rules/,
  /targets were removed from the rule/,
  /ModifyDBCluster cannot change PubliclyAccessible/,
];

describe("detection findings become remediation plans", () => {
  const positive = SCENARIOS.filter((scenario) => scenario.fires);

  it.each(positive.map((scenario) => [scenario.detection, scenario.name, scenario] as const))(
    "%s: %s",
    async (detection, _name, scenario) => {
      const config = parseConfig({
        ...scenario.config,
        remediation: { wafIpSet: { name: "scanners", id: "set-1", scope: "REGIONAL" } },
      });
      const findings = of(await detect(scenario.records, { config: scenario.config }), detection);
      const expectsAction = actionDependsOnFinding(detection) || getDetection(detection).response.action !== undefined;

      for (const finding of findings) {
        const incident = {
          ...finding,
          id: "inc",
          status: "TRIAGED" as const,
          version: 1,
          createdAt: finding.time,
          updatedAt: finding.time,
          mode: "dry-run" as const,
          actions: [],
          approvals: [],
          transitions: [],
        };
        const explained = explainPlan(incident, config, new Date(finding.time));

        if (!expectsAction) {
          expect(explained.plan).toEqual([]);
          continue;
        }
        if (explained.plan.length === 0) {
          expect(
            LEGITIMATE_LIMITS.some((limit) => limit.test(explained.notes.join("; "))),
            explained.notes.join("; "),
          ).toBe(true);
          continue;
        }
        for (const planned of explained.plan) {
          expect(planned.calls.length, `${planned.action} plans no call`).toBeGreaterThan(0);
          expect(JSON.stringify(planned.calls)).not.toContain("undefined");
          // Facts alone fix every parameter except where only a live read can (WAF, ACL grants…).
          // (The user's key ids: the quarantine event names the user only.)
          const liveOnly =
            [
              "waf-block-ip",
              "s3-private-acl",
              "s3-private-object-acl",
              "iam-deactivate-user-keys",
              // A rule that reads read-only calls is sent back whole: its pattern is read live.
              "eventbridge-enable-rule",
            ].includes(planned.action) ||
            // A logged policy Riposte could not read: only the live policy says which statements are public.
            (planned.action === "resource-policy-remove-public" && finding.facts.policyProblem !== undefined) ||
            // A replaced NACL entry: the previous one is read from AWS Config's history.
            (planned.action === "nacl-delete-allow-all-entry" && finding.facts.eventName === "ReplaceNetworkAclEntry");
          // A group or instance named without its rules (AWS Config, GuardDuty): the rules are read live.
          if (!liveOnly && !planned.target.includes("(world-open ")) {
            expect(planned.calls.some(hasLiveValues), `${planned.action} needs a live read`).toBe(false);
          }
        }
      }
    },
  );
});
