import { describe, expect, it } from "vitest";
import {
  ACCOUNT,
  albLine,
  authorizeIngress,
  configComplianceChange,
  configEnvelope,
  consoleLogin,
  guardDutyEnvelope,
  guardDutyFinding,
  wafRecord,
} from "../../test/fixtures/events/cloudtrail.js";
import { controlFinding, SG_RESOURCE, securityHubEvent } from "../../test/fixtures/events/scenarios/threat.js";
import { SecurityEventSchema } from "../model/event.js";
import { normalizeRecords } from "./index.js";
import { parseEventTime } from "./time.js";

describe("normalizeRecords", () => {
  it("wraps a CloudTrail record in the envelope EventBridge delivers", () => {
    const record = authorizeIngress("sg-1", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }]);

    const { events, errors } = normalizeRecords(record);

    expect(errors).toEqual([]);
    const [event] = events;
    expect(SecurityEventSchema.parse(event)).toBeTruthy();
    expect(event?.kind).toBe("cloudtrail");
    expect(event?.id).toBe(record.eventID);
    expect(event?.envelope).toMatchObject({
      source: "aws.ec2",
      "detail-type": "AWS API Call via CloudTrail",
      account: ACCOUNT,
      region: "us-east-1",
      time: "2024-05-01T10:00:00Z",
    });
    expect(event?.envelope.detail).toBe(record);
    expect(event?.raw).toBe(record);
  });

  it("gives sign-in records the console sign-in detail type and the aws.signin source", () => {
    const { events } = normalizeRecords(consoleLogin(true));

    expect(events[0]?.envelope["detail-type"]).toBe("AWS Console Sign In via CloudTrail");
    expect(events[0]?.envelope.source).toBe("aws.signin");
  });

  it("accepts a Records body, an array, and EventBridge envelopes, reporting bad entries by index", () => {
    const a = authorizeIngress("sg-1", []);
    const b = consoleLogin(false);
    const envelope = {
      version: "0",
      id: "e-1",
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.ec2",
      account: ACCOUNT,
      time: "2024-05-01T10:00:00Z",
      region: "us-east-1",
      resources: [],
      detail: a,
    };

    const records = normalizeRecords({ Records: [a, "junk", b] });
    const array = normalizeRecords([envelope, 42, { hello: "world" }]);

    expect(records.events.map((event) => event.id)).toEqual([a.eventID, b.eventID]);
    expect(records.errors).toEqual([{ index: 1, error: "a Records entry is not an object" }]);
    expect(array.events).toHaveLength(1);
    expect(array.events[0]?.id).toBe(a.eventID);
    expect(array.errors.map((error) => error.index)).toEqual([1, 2]);
    expect(array.errors[1]?.error).toMatch(/unrecognised record/);
  });

  it("keeps the envelope of a delivered EventBridge event", () => {
    const finding = guardDutyFinding("Recon:EC2/PortProbeUnprotectedPort", 5);

    const { events } = normalizeRecords(guardDutyEnvelope(finding));

    expect(events[0]?.kind).toBe("guardduty");
    expect(events[0]?.id).toBe(finding.id);
    expect(events[0]?.envelope.id).toBe("c8c4daa7-a20c-2f03-0070-b7393dd542ad");
    expect(events[0]?.envelope.detail).toBe(finding);
  });

  it("turns a raw GuardDuty finding into a GuardDuty Finding event", () => {
    const finding = guardDutyFinding("UnauthorizedAccess:IAMUser/TorIPCaller", 8);

    const { events } = normalizeRecords(finding);

    expect(events[0]?.envelope).toMatchObject({
      source: "aws.guardduty",
      "detail-type": "GuardDuty Finding",
      region: "us-east-1",
    });
    expect(events[0]?.time).toBe("2024-05-01T10:06:00Z");
  });

  it("takes Security Hub's imported-findings events as they are, and refuses one without a time", () => {
    const event = securityHubEvent([controlFinding("EC2.19", "CRITICAL", SG_RESOURCE)]);

    const { events, errors } = normalizeRecords([event, { ...event, time: "not a time" }]);

    expect(events).toHaveLength(1);
    expect(SecurityEventSchema.parse(events[0])).toMatchObject({
      kind: "securityhub",
      id: event.id,
      time: "2024-05-01T10:20:05Z",
      envelope: { source: "aws.securityhub", "detail-type": "Security Hub Findings - Imported", detail: event.detail },
    });
    expect(errors).toEqual([{ index: 1, error: "Security Hub event needs an id and a valid time" }]);
  });

  it("reads Config compliance changes from EventBridge and from SNS notifications (Message as text)", () => {
    const detail = configComplianceChange("restricted-ssh", "sg-1", "NON_COMPLIANT");
    const sns = {
      Type: "Notification",
      MessageId: "m-1",
      Message: JSON.stringify(detail),
      Timestamp: "2024-05-01T10:10:01Z",
    };

    const fromBus = normalizeRecords(configEnvelope(detail));
    const fromSns = normalizeRecords(sns);

    expect(fromBus.events[0]?.kind).toBe("config");
    expect(fromBus.events[0]?.id).toBe("3cc6f0a6-3d4b-4e7a-8c1b-2f9d1c6b7a10");
    expect(fromSns.events[0]?.envelope).toMatchObject({
      source: "aws.config",
      "detail-type": "Config Rules Compliance Change",
    });
    expect(fromSns.events[0]?.envelope.detail).toEqual(detail);
  });

  it("gives a WAF record a content-hash id when it did not come from a file", () => {
    const waf = wafRecord("185.220.101.1", Date.parse("2024-05-01T10:00:00Z"), "BLOCK");

    const first = normalizeRecords(waf).events[0];
    const again = normalizeRecords(structuredClone(waf)).events[0];

    expect(first?.envelope).toMatchObject({
      source: "riposte.waf",
      "detail-type": "WAF Log Record",
      account: ACCOUNT,
      region: "us-east-1",
    });
    expect(first?.id).toMatch(/^waf-[0-9a-f]{32}$/);
    expect(again?.id).toBe(first?.id);
  });

  it("reports records whose time does not parse", () => {
    const record = { ...authorizeIngress("sg-1", []), eventTime: "yesterday" };

    expect(normalizeRecords(record).errors[0]?.error).toBe("CloudTrail record has no valid eventTime");
  });

  it("rejects EventBridge events of sources it has no detections for, naming them", () => {
    const { errors } = normalizeRecords({
      source: "aws.ec2",
      "detail-type": "EC2 Instance State-change Notification",
      detail: {},
    });

    expect(errors[0]?.error).toContain('source "aws.ec2", detail-type "EC2 Instance State-change Notification"');
  });

  it("does not take an ALB line for JSON", () => {
    expect(normalizeRecords(albLine("2024-05-01T10:00:00Z", "1.2.3.4", 200)).errors).toHaveLength(1);
  });
});

describe("parseEventTime", () => {
  it.each([
    ["2023-07-10T12:11:57Z", Date.UTC(2023, 6, 10, 12, 11, 57)],
    ["2023-01-10 20:10:41", Date.UTC(2023, 0, 10, 20, 10, 41)],
    ["2024-11-25 17:51:21.000000000", Date.UTC(2024, 10, 25, 17, 51, 21)],
    ["2021-01-24 04:55:45.123", Date.UTC(2021, 0, 24, 4, 55, 45, 123)],
    ["2024-05-01T12:00:00+02:00", Date.UTC(2024, 4, 1, 10, 0, 0)],
    [1576280412771, 1576280412771],
  ])("reads %s", (input, expected) => {
    expect(parseEventTime(input)).toBe(expected);
  });

  it.each([["nope"], [""], [null], [Number.NaN]])("rejects %s", (input) => {
    expect(parseEventTime(input)).toBeUndefined();
  });
});
