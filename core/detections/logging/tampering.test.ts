import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { cloudtrail } from "../../../test/fixtures/events/cloudtrail.js";
import { managementEventReduction } from "./tampering.js";

describe("managementEventReduction", () => {
  it.each([
    [{ eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }] }, undefined],
    [{ eventSelectors: [{ readWriteType: "ReadOnly", includeManagementEvents: true }] }, "only ReadOnly events kept"],
    [{ eventSelectors: [{ readWriteType: "All", includeManagementEvents: false }] }, "management events excluded"],
    [
      {
        eventSelectors: [
          { readWriteType: "All", includeManagementEvents: true, excludeManagementEventSources: ["kms.amazonaws.com"] },
        ],
      },
      "management event sources excluded",
    ],
    [{ advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }] }, undefined],
    [
      {
        advancedEventSelectors: [
          {
            fieldSelectors: [
              { field: "eventCategory", equals: ["Data"] },
              { field: "resources.type", equals: ["AWS::S3::Object"] },
            ],
          },
        ],
      },
      "no advanced selector keeps management events",
    ],
    [
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: "eventCategory", Equals: ["Management"] },
              { Field: "readOnly", Equals: ["false"] },
            ],
          },
        ],
      },
      "management events filtered by advanced selectors",
    ],
  ])("%j → %s", (params, expected) => {
    expect(managementEventReduction(params)).toBe(expected);
  });
});

describe("cloudtrail-tampering findings", () => {
  it("name the trail and what was done to it", async () => {
    const stop = cloudtrail("StopLogging", { name: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail" });
    const update = cloudtrail("UpdateTrail", {
      name: "org-trail",
      s3BucketName: "attacker-bucket",
      enableLogFileValidation: false,
    });

    const findings = of(await detect([stop, update]), "cloudtrail-tampering");

    expect(findings[0]).toMatchObject({
      resource: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail",
      facts: {
        eventName: "StopLogging",
        trailName: "org-trail",
        trailArn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail",
      },
    });
    expect(findings[1]?.summary).toContain("log bucket set to attacker-bucket, log file validation disabled");
  });
});
