import { describe, expect, it } from "vitest";
import { s3 } from "../../../test/fixtures/events/cloudtrail.js";
import { SCENARIOS } from "../../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { compilePattern } from "../../patterns/compile.js";
import { matches } from "../../patterns/match.js";
import { detectionPattern, getDetection } from "../catalog.js";

const config = parseConfig({});
const envelopeOf = (record: unknown) => normalizeRecords(record).events[0]!.envelope;
const objectAclPattern = compilePattern(detectionPattern(getDetection("s3-object-acl-public"), config));
const selected = (record: unknown) => matches(objectAclPattern, envelopeOf(record));

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

describe("s3-object-acl-public pattern (what EventBridge delivers)", () => {
  it("selects object writes that set a public canned ACL or grant a public group by header", () => {
    // Arrange: the shapes CloudTrail logs (header names in lower case, values as lists).
    const writes = [
      s3("PutObject", "reports", { key: "q1.pdf", "x-amz-acl": ["public-read"] }),
      s3("CopyObject", "reports", { key: "q1.pdf", "x-amz-acl": ["public-read-write"] }),
      s3("PutObject", "reports", { key: "q1.pdf", "x-amz-acl": ["authenticated-read"] }),
      s3("PutObject", "reports", { key: "q1.pdf", "x-amz-grant-read": [`uri="${ALL_USERS}"`] }),
      s3("CopyObject", "reports", {
        key: "q1.pdf",
        "x-amz-grant-full-control": [`id="79a59df900b949e55d96a1e698fbaced", uri="${AUTHENTICATED_USERS}"`],
      }),
    ];

    // Act / Assert
    for (const write of writes) expect(selected(write), JSON.stringify(write.requestParameters)).toBe(true);
  });

  it("selects PutObjectAcl with a public group in the ACL body", () => {
    const body = s3("PutObjectAcl", "reports", {
      key: "q1.pdf",
      acl: "",
      AccessControlPolicy: {
        AccessControlList: { Grant: { Grantee: { "xsi:type": "Group", URI: ALL_USERS }, Permission: "READ" } },
      },
    });

    expect(selected(body)).toBe(true);
  });

  it("leaves out object writes without a public ACL: none, private canned ACLs, grants to accounts", () => {
    const writes = [
      s3("PutObject", "reports", { key: "q1.pdf" }),
      s3("CopyObject", "reports", { key: "q1.pdf", "x-amz-copy-source": "other/q1.pdf" }),
      s3("PutObject", "reports", { key: "q1.pdf", "x-amz-acl": ["bucket-owner-full-control"] }),
      s3("PutObject", "reports", { key: "q1.pdf", "x-amz-acl": ["private"] }),
      s3("PutObject", "reports", { key: "q1.pdf", "x-amz-grant-read": ['id="79a59df900b949e55d96a1e698fbaced"'] }),
      s3("PutObjectAcl", "reports", { key: "q1.pdf", acl: "", "x-amz-acl": ["private"] }),
    ];

    for (const write of writes) expect(selected(write), JSON.stringify(write.requestParameters)).toBe(false);
  });

  it("selects every positive scenario of the detection (the pattern loses no true positive)", () => {
    const positives = SCENARIOS.filter((scenario) => scenario.detection === "s3-object-acl-public" && scenario.fires);

    expect(positives.length).toBeGreaterThan(0);
    for (const scenario of positives) expect(scenario.records.some(selected), scenario.name).toBe(true);
  });
});
