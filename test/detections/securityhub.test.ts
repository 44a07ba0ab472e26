import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { getDetection } from "../../core/detections/catalog.js";
import { PLANNERS } from "../../core/remediation/planners.js";
import { chooseActions } from "../../core/remediation/responses.js";
import {
  ACCOUNT_RESOURCE,
  BUCKET,
  BUCKET_RESOURCE,
  controlFinding,
  GROUP_ID,
  SG_RESOURCE,
  securityHubEvent,
} from "../fixtures/events/scenarios/threat.js";
import { detect, of } from "./harness.js";

/** Security Hub control findings → facts the planners read → the action the control maps to. */

const config = parseConfig({});

async function incidentOf(finding: Record<string, unknown>) {
  const [found] = of(await detect([securityHubEvent([finding])]), "securityhub-finding");
  if (!found) throw new Error("the finding did not fire");
  return { ...found, id: "inc-1" };
}

describe("securityhub-finding", () => {
  it("EC2.19 on a security group: revoke the group's world-open rules on every risky port", async () => {
    const incident = await incidentOf(controlFinding("EC2.19", "CRITICAL", SG_RESOURCE));

    expect(incident.severity).toBe("critical");
    expect(incident.resource).toBe(GROUP_ID);
    expect(incident.facts).toMatchObject({ controlId: "EC2.19", groupId: GROUP_ID, rules: [], riskyPorts: [] });
    expect(chooseActions(incident, config).actions).toEqual(["revoke-sg-rules"]);
    expect(PLANNERS["revoke-sg-rules"].resolve(incident as never, config)).toMatchObject({
      ok: true,
      target: { kind: "group", groupId: GROUP_ID, ports: [] },
    });
  });

  it("EC2.13 names port 22 only", async () => {
    const incident = await incidentOf(controlFinding("EC2.13", "HIGH", SG_RESOURCE));

    expect(incident.facts.riskyPorts).toEqual([22]);
    expect(PLANNERS["revoke-sg-rules"].resolve(incident as never, config)).toMatchObject({
      ok: true,
      target: { kind: "group", ports: [22] },
    });
  });

  it("S3.8 on a bucket: restore the bucket's public access block", async () => {
    const incident = await incidentOf(controlFinding("S3.8", "HIGH", BUCKET_RESOURCE));

    expect(incident.facts.bucket).toBe(BUCKET);
    expect(chooseActions(incident, config).actions).toEqual(["s3-block-public-access"]);
    expect(PLANNERS["s3-block-public-access"].resolve(incident as never, config)).toMatchObject({
      ok: true,
      target: { bucket: BUCKET },
    });
  });

  it("a control without a remediation (CloudTrail.1 names the account) is notify only, saying why", async () => {
    const incident = await incidentOf(controlFinding("CloudTrail.1", "HIGH", ACCOUNT_RESOURCE));

    const chosen = chooseActions(incident, config);
    expect(chosen.actions).toEqual([]);
    expect(chosen.notes).toEqual(["Security Hub control CloudTrail.1 has no matching remediation: notify only"]);
  });

  it("takes the control id from ProductFields.ControlId when consolidation is off", async () => {
    const finding = controlFinding("S3.8", "HIGH", BUCKET_RESOURCE, {
      Compliance: { Status: "FAILED" },
      ProductFields: { StandardsArn: "arn:aws:securityhub:::standards/cis", ControlId: "S3.8" },
    });
    const incident = await incidentOf(finding);

    expect(incident.facts.controlId).toBe("S3.8");
  });

  it("a malformed control id is never repeated and maps to nothing", async () => {
    const incident = await incidentOf(
      controlFinding("EC2.19", "HIGH", SG_RESOURCE, {
        Compliance: { Status: "FAILED", SecurityControlId: "EC2.19\n@here" },
      }),
    );

    expect(chooseActions(incident, config)).toEqual({
      actions: [],
      notes: ["the Security Hub finding names no security control: notify only"],
    });
  });

  it("selects Security Hub's own failed high and critical controls in its pattern", () => {
    expect(getDetection("securityhub-finding").pattern).toMatchObject({
      source: ["aws.securityhub"],
      "detail-type": ["Security Hub Findings - Imported"],
      detail: {
        findings: {
          ProductArn: [{ suffix: "::product/aws/securityhub" }],
          Compliance: { Status: ["FAILED"] },
          Severity: { Label: ["HIGH", "CRITICAL"] },
        },
      },
    });
  });
});
