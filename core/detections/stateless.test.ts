import { describe, expect, it } from "vitest";
import {
  authorizeIngress,
  consoleLogin,
  guardDutyEnvelope,
  guardDutyFinding,
  identity,
  revokeIngress,
} from "../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../config/load.js";
import { normalizeRecords } from "../events/index.js";
import { FindingSchema } from "../model/incident.js";
import { findingFromEvent } from "./stateless.js";

const config = parseConfig({});
const envelopeOf = (record: unknown) => normalizeRecords(record).events[0]!.envelope;

describe("findingFromEvent", () => {
  it("makes the finding of a stateless detection from one EventBridge event", () => {
    const record = authorizeIngress("sg-0abc", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }]);

    const finding = findingFromEvent("sg-ssh-open-world", envelopeOf(record), config);

    expect(FindingSchema.parse(finding)).toBeTruthy();
    expect(finding).toMatchObject({
      detection: "sg-ssh-open-world",
      category: "network",
      severity: "high",
      eventIds: [record.eventID],
      resource: "sg-0abc",
      account: "123456789012",
      region: "us-east-1",
      principal: "arn:aws:iam::123456789012:user/alice",
      sourceIp: "81.2.69.142",
    });
    expect(finding?.facts).toMatchObject({
      groupId: "sg-0abc",
      rules: [expect.objectContaining({ cidrIpv4: "0.0.0.0/0", fromPort: 22 })],
    });
    expect(finding?.evidence).toEqual([record]);
  });

  it("returns undefined when the event only passes the pattern, not the check", () => {
    const record = authorizeIngress("sg-0abc", [{ from: 443, to: 443, cidrs: ["0.0.0.0/0"] }]);

    expect(findingFromEvent("sg-ssh-open-world", envelopeOf(record), config)).toBeUndefined();
  });

  it("returns undefined for events outside the pattern, Riposte's own events, disabled and stateful detections", () => {
    const open = authorizeIngress("sg-0abc", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }]);
    const mine = authorizeIngress("sg-0abc", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }], {
      user: identity.riposte(),
    });

    expect(findingFromEvent("sg-ssh-open-world", envelopeOf(revokeIngress("sg-0abc", [])), config)).toBeUndefined();
    expect(findingFromEvent("sg-ssh-open-world", envelopeOf(mine), config)).toBeUndefined();
    expect(
      findingFromEvent(
        "sg-ssh-open-world",
        envelopeOf(open),
        parseConfig({ detections: { "sg-ssh-open-world": { enabled: false } } }),
      ),
    ).toBeUndefined();
    expect(findingFromEvent("console-login-brute-force", envelopeOf(consoleLogin(false)), config)).toBeUndefined();
  });

  it("grades a GuardDuty finding by GuardDuty's severity", () => {
    const low = guardDutyEnvelope(guardDutyFinding("Recon:EC2/PortProbeUnprotectedPort", 2));
    const critical = guardDutyEnvelope(guardDutyFinding("AttackSequence:IAM/CompromisedCredentials", 9));

    expect(findingFromEvent("guardduty-finding", low as never, config)?.severity).toBe("low");
    expect(findingFromEvent("guardduty-finding", critical as never, config)?.severity).toBe("critical");
  });
});
