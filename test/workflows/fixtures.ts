import { type Category, categoryOf, type DetectionId } from "../../core/model/catalog.js";
import type { Finding } from "../../core/model/incident.js";

/**
 * One realistic finding per category, shaped as the detections report them (facts in the
 * `core/model/facts.ts` shapes remediation plans from), and the variant of each that leaves
 * remediation nothing to act on.
 */

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

function finding(
  detection: DetectionId,
  fields: Pick<Finding, "title" | "summary" | "resource" | "principal" | "facts"> & Partial<Finding>,
): Finding {
  return {
    detection,
    category: categoryOf(detection),
    severity: "high",
    time: "2026-03-10T14:29:00.000Z",
    eventIds: [`evt-${detection}-1`],
    account: ACCOUNT,
    region: REGION,
    sourceIp: "203.0.113.7",
    userAgent: "aws-cli/2.15.0 Python/3.11",
    evidence: [{ eventID: `evt-${detection}-1` }],
    ...fields,
  };
}

export const FINDINGS: Readonly<Record<Category, Finding>> = {
  identity: finding("console-login-brute-force", {
    title: "Console brute force against bob",
    summary: "5 failed console logins for bob in 3 minutes, then a success",
    resource: "bob",
    principal: `arn:aws:iam::${ACCOUNT}:user/bob`,
    facts: { principalType: "IAMUser", principalArn: `arn:aws:iam::${ACCOUNT}:user/bob`, userName: "bob" },
  }),
  logging: finding("cloudtrail-tampering", {
    title: "CloudTrail logging stopped on management",
    summary: "mallory called StopLogging on the trail management",
    resource: "management",
    principal: `arn:aws:iam::${ACCOUNT}:user/mallory`,
    facts: {
      trailName: "management",
      trailArn: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management`,
      eventName: "StopLogging",
      principalType: "IAMUser",
      userName: "mallory",
    },
  }),
  network: finding("sg-ssh-open-world", {
    title: "SSH opened to the world on sg-0a1b2c3d4e5f60718",
    summary: "alice authorised 0.0.0.0/0 on tcp/22 of sg-0a1b2c3d4e5f60718",
    resource: "sg-0a1b2c3d4e5f60718",
    principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
    facts: {
      groupId: "sg-0a1b2c3d4e5f60718",
      groupName: "web",
      vpcId: "vpc-0a1b2c3d",
      rules: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }],
      riskyPorts: [22],
      principalType: "IAMUser",
      userName: "alice",
    },
  }),
  storage: finding("s3-public-access-block-disabled", {
    title: "Public access block removed from acme-reports",
    summary: "carol deleted the public access block of the bucket acme-reports",
    resource: "acme-reports",
    principal: `arn:aws:iam::${ACCOUNT}:user/carol`,
    facts: { bucket: "acme-reports", principalType: "IAMUser", userName: "carol" },
  }),
  threat: finding("guardduty-finding", {
    title: "GuardDuty: CloudTrail logging disabled",
    summary: "GuardDuty reports Stealth:IAMUser/CloudTrailLoggingDisabled for mallory",
    resource: "management",
    principal: `arn:aws:iam::${ACCOUNT}:user/mallory`,
    sourceIp: undefined,
    facts: {
      findingId: "4ebc9e7f2b1a4c8d9e0f1a2b3c4d5e6f",
      findingType: "Stealth:IAMUser/CloudTrailLoggingDisabled",
      userName: "mallory",
      trailName: "management",
      guardDutySeverity: 5,
    },
  }),
};

/** The category's finding with facts that give remediation no target: no action can be planned. */
export function withoutRemediation(category: Category): Finding {
  const base = FINDINGS[category];
  return { ...base, eventIds: [`${base.eventIds[0]}-no-target`], facts: {} };
}

/** A copy of a finding with other event ids (a different incident of the same kind). */
export function another(base: Finding, suffix: string): Finding {
  return { ...base, eventIds: base.eventIds.map((id) => `${id}-${suffix}`) };
}
