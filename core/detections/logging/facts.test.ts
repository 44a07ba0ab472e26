import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { identity, record } from "../../../test/fixtures/events/cloudtrail.js";

/** The facts the logging detections give response actions, and their behaviour on odd record shapes. */

const DETECTOR = "12abc34d567e8fa901bc2d34e56789f0";
const guardduty = (eventName: string, request: unknown, response: unknown = null) =>
  record("guardduty.amazonaws.com", eventName, request, response, { user: identity.role("Admin", "mallory") });

async function only(detection: string, rec: unknown) {
  const found = of(await detect([rec]), detection);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("logging detection facts", () => {
  it("guardduty-disabled names the detector", async () => {
    const suspended = await only(
      "guardduty-disabled",
      guardduty("UpdateDetector", { detectorId: DETECTOR, enable: false }),
    );
    expect(suspended.facts).toMatchObject({
      eventName: "UpdateDetector",
      detectorId: DETECTOR,
      principalArn: "arn:aws:sts::123456789012:assumed-role/Admin/mallory",
      roleName: "Admin",
    });
    expect(suspended.resource).toBe(`arn:aws:guardduty:us-east-1:123456789012:detector/${DETECTOR}`);
    expect(suspended.severity).toBe("critical");
    expect(suspended.summary).toContain(`suspended GuardDuty detector ${DETECTOR} in us-east-1`);

    const deleted = await only("guardduty-disabled", guardduty("DeleteDetector", { detectorId: DETECTOR }));
    expect(deleted.facts).toMatchObject({ eventName: "DeleteDetector", detectorId: DETECTOR });
    expect(deleted.summary).toContain("deleted GuardDuty detector");

    // Re-exports that write booleans as text.
    await only("guardduty-disabled", guardduty("UpdateDetector", { detectorId: DETECTOR, enable: "false" }));
  });

  it("guardduty-suppressed names the detector and the IP set (from the response on create) or the filter", async () => {
    const created = await only(
      "guardduty-suppressed",
      guardduty(
        "CreateIPSet",
        {
          detectorId: DETECTOR,
          name: "office",
          format: "TXT",
          location: "https://s3.amazonaws.com/b/t.txt",
          activate: true,
        },
        { ipSetId: "ipset1" },
      ),
    );
    expect(created.facts).toMatchObject({
      eventName: "CreateIPSet",
      detectorId: DETECTOR,
      ipSetId: "ipset1",
      ipSetName: "office",
      location: "https://s3.amazonaws.com/b/t.txt",
      activate: true,
    });
    expect(created.resource).toBe(`arn:aws:guardduty:us-east-1:123456789012:detector/${DETECTOR}/ipset/ipset1`);

    const updated = await only(
      "guardduty-suppressed",
      guardduty("UpdateIPSet", { detectorId: DETECTOR, ipSetId: "ipset1" }),
    );
    expect(updated.facts).toMatchObject({ eventName: "UpdateIPSet", detectorId: DETECTOR, ipSetId: "ipset1" });

    const filter = await only(
      "guardduty-suppressed",
      guardduty("CreateFilter", { detectorId: DETECTOR, name: "quiet", action: "ARCHIVE" }, { name: "quiet" }),
    );
    expect(filter.facts).toMatchObject({ eventName: "CreateFilter", detectorId: DETECTOR, filterName: "quiet" });
    expect(filter.facts).not.toHaveProperty("ipSetId");

    const changed = await only(
      "guardduty-suppressed",
      guardduty("UpdateFilter", { detectorId: DETECTOR, filterName: "portscans", action: "archive" }),
    );
    expect(changed.facts).toMatchObject({ eventName: "UpdateFilter", filterName: "portscans" });
    expect(changed.resource).toBe(`arn:aws:guardduty:us-east-1:123456789012:detector/${DETECTOR}/filter/portscans`);
  });

  it("securityhub-disabled lists the disabled subscriptions", async () => {
    const arns = [
      "arn:aws:securityhub:us-east-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0",
      "arn:aws:securityhub:us-east-1:123456789012:subscription/cis-aws-foundations-benchmark/v/1.4.0",
    ];
    const standards = await only(
      "securityhub-disabled",
      record("securityhub.amazonaws.com", "BatchDisableStandards", { standardsSubscriptionArns: arns }, null),
    );
    expect(standards.facts).toMatchObject({ eventName: "BatchDisableStandards", standardsSubscriptionArns: arns });
    expect(standards.facts).not.toHaveProperty("standardsArns");
    expect(standards.summary).toContain("2 standards (aws-foundational-security-best-practices/v/1.0.0, cis-aws");

    const hub = await only(
      "securityhub-disabled",
      record("securityhub.amazonaws.com", "DisableSecurityHub", null, null),
    );
    expect(hub.facts).toMatchObject({ eventName: "DisableSecurityHub", standardsSubscriptionArns: [] });
    expect(hub.resource).toBe("arn:aws:securityhub:us-east-1:123456789012:hub/default");
  });

  it("config-recording-stopped names the recorder (or the delivery channel)", async () => {
    const stopped = await only(
      "config-recording-stopped",
      record("config.amazonaws.com", "StopConfigurationRecorder", { configurationRecorderName: "default" }, null),
    );
    expect(stopped.facts).toMatchObject({ eventName: "StopConfigurationRecorder", recorderName: "default" });

    const channel = await only(
      "config-recording-stopped",
      record("config.amazonaws.com", "DeleteDeliveryChannel", { deliveryChannelName: "default" }, null),
    );
    expect(channel.facts).toMatchObject({ eventName: "DeleteDeliveryChannel", deliveryChannelName: "default" });
    expect(channel.facts).not.toHaveProperty("recorderName");
  });
});

describe("logging detections on odd record shapes", () => {
  const ODD: unknown[] = [
    null,
    "text",
    42,
    [],
    [{ detectorId: DETECTOR }],
    { detectorId: { nested: true }, enable: null, action: ["ARCHIVE"], name: 7 },
    {
      standardsSubscriptionArns: "arn:one",
      configurationRecorderName: ["x"],
      logGroupName: {},
      BucketLoggingStatus: 3,
    },
    { DeleteFlowLogsRequest: [], resolverQueryLogConfigId: null, rule: "\u0007bell", ids: { items: [] } },
  ];
  const CALLS: [string, string][] = [
    ["guardduty.amazonaws.com", "UpdateDetector"],
    ["guardduty.amazonaws.com", "DeleteDetector"],
    ["guardduty.amazonaws.com", "CreateIPSet"],
    ["guardduty.amazonaws.com", "UpdateFilter"],
    ["securityhub.amazonaws.com", "BatchDisableStandards"],
    ["config.amazonaws.com", "StopConfigurationRecorder"],
    ["config.amazonaws.com", "DeleteDeliveryChannel"],
    ["events.amazonaws.com", "RemoveTargets"],
    ["ec2.amazonaws.com", "DeleteFlowLogs"],
    ["logs.amazonaws.com", "DeleteLogGroup"],
    ["route53resolver.amazonaws.com", "DisassociateResolverQueryLogConfig"],
    ["s3.amazonaws.com", "PutBucketLogging"],
  ];

  it("never throw, and keep control characters out of summaries", async () => {
    const records = CALLS.flatMap(([source, name]) =>
      ODD.flatMap((request) => [record(source, name, request, request), record(source, name, request, "odd")]),
    );
    const findings = await detect(records);

    // Calls without a condition fire on any request; those with one stay quiet when it cannot be read.
    expect(findings.length).toBeGreaterThan(0);
    expect(of(findings, "guardduty-disabled").filter((f) => f.facts.eventName === "UpdateDetector")).toEqual([]);
    expect(of(findings, "guardduty-suppressed").filter((f) => f.facts.eventName === "UpdateFilter")).toEqual([]);
    expect(of(findings, "log-deletion").filter((f) => f.facts.eventName === "PutBucketLogging")).toHaveLength(2);
    expect(findings.some((finding) => finding.summary.includes(" bell"))).toBe(true);
    for (const finding of findings) expect(finding.summary).not.toContain("\u0007");
  });
});
