import { DeleteNetworkAclEntryCommand, DescribeNetworkAclsCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const ACL = "acl-0123456789abcdef0";
const opened = (facts: Record<string, unknown> = {}) =>
  incident(
    "nacl-allow-all",
    {
      eventName: "CreateNetworkAclEntry",
      networkAclId: ACL,
      ruleNumber: 90,
      egress: false,
      ruleAction: "allow",
      aclProtocol: "-1",
      cidrBlock: "0.0.0.0/0",
      ...facts,
    },
    { region: "eu-west-1" },
  );
const allowAll = {
  RuleNumber: 90,
  Egress: false,
  RuleAction: "allow" as const,
  Protocol: "-1",
  CidrBlock: "0.0.0.0/0",
};
const outboundAll = { ...allowAll, Egress: true };
const acl = (entries: object[], tags: Record<string, string> = {}) => ({
  NetworkAcls: [
    {
      NetworkAclId: ACL,
      Entries: entries,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    },
  ],
});

describe("nacl-delete-allow-all-entry: plan", () => {
  it("deletes the inbound entry the event added, in the incident's region", () => {
    expect(staticPlan("nacl-delete-allow-all-entry", opened())).toMatchObject({
      ok: true,
      planned: {
        target: `network ACL ${ACL} inbound entry 90`,
        destructive: false,
        calls: [
          {
            service: "ec2",
            operation: "DeleteNetworkAclEntry",
            params: { NetworkAclId: ACL, RuleNumber: 90, Egress: false },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it("does not apply to a replaced entry: the previous one is not in the event", () => {
    expect(staticPlan("nacl-delete-allow-all-entry", opened({ eventName: "ReplaceNetworkAclEntry" }))).toEqual({
      ok: false,
      note: expect.stringMatching(/does not carry the previous entry .* cannot be restored/),
    });
  });

  it.each([
    ["no ACL", { networkAclId: undefined }, /no network ACL/],
    ["an odd ACL id", { networkAclId: "acl-../x" }, /no network ACL/],
    ["no rule number", { ruleNumber: undefined }, /rule number/],
    ["a rule number as text", { ruleNumber: "90" }, /rule number/],
    ["a rule number out of range", { ruleNumber: 32767 }, /rule number/],
    ["an outbound entry", { egress: true }, /not an inbound/],
    ["another event", { eventName: "DeleteNetworkAcl" }, /undoes CreateNetworkAclEntry, not "DeleteNetworkAcl"/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("nacl-delete-allow-all-entry", opened(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("nacl-delete-allow-all-entry: live", () => {
  it("deletes the entry and verifies it is gone, leaving the outbound entry of the same number", async () => {
    aws.ec2
      .on(DescribeNetworkAclsCommand)
      .resolvesOnce(acl([allowAll, outboundAll]))
      .resolves(acl([outboundAll]));

    const { applied, verification } = await remediateAndVerify("nacl-delete-allow-all-entry", opened());

    expect(aws.inputs("DeleteNetworkAclEntryCommand")).toEqual([{ NetworkAclId: ACL, RuleNumber: 90, Egress: false }]);
    expect(aws.inputs("DescribeNetworkAclsCommand")[0]).toEqual({ NetworkAclIds: [ACL] });
    expect(applied).toMatchObject({ outcome: "applied", after: { state: { entry: null } } });
    expect(verification.verified).toBe(true);
  });

  it("is already done when the entry was deleted or narrowed since", async () => {
    for (const entries of [
      [outboundAll],
      [{ ...allowAll, CidrBlock: "10.0.0.0/8" }],
      [{ ...allowAll, Protocol: "6" }],
    ]) {
      aws.reset();
      aws.ec2.on(DescribeNetworkAclsCommand).resolves(acl(entries));

      const { applied } = await remediateAndVerify("nacl-delete-allow-all-entry", opened());

      expect(applied.outcome).toBe("already-done");
      expect(aws.inputs("DeleteNetworkAclEntryCommand")).toEqual([]);
    }
  });

  it("fails verification when the entry is still there after the call", async () => {
    aws.ec2.on(DescribeNetworkAclsCommand).resolves(acl([allowAll]));
    aws.ec2.on(DeleteNetworkAclEntryCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("nacl-delete-allow-all-entry", opened());

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "allow -1 from 0.0.0.0/0" })],
    });
  });

  it("counts a deleted network ACL as gone", async () => {
    aws.ec2.on(DescribeNetworkAclsCommand).rejects(awsError("InvalidNetworkAclID.NotFound"));

    const { applied } = await remediateAndVerify("nacl-delete-allow-all-entry", opened());

    expect(applied.outcome).toBe("gone");
  });

  it("treats an entry deleted between read and write as done", async () => {
    aws.ec2
      .on(DescribeNetworkAclsCommand)
      .resolvesOnce(acl([allowAll]))
      .resolves(acl([]));
    aws.ec2.on(DeleteNetworkAclEntryCommand).rejects(awsError("InvalidNetworkAclEntry.NotFound"));

    const { applied } = await remediateAndVerify("nacl-delete-allow-all-entry", opened());

    expect(applied.outcome).toBe("already-done");
  });

  it("leaves a protected network ACL alone", async () => {
    aws.ec2.on(DescribeNetworkAclsCommand).resolves(acl([allowAll], { "riposte:protect": "true" }));

    const { applied } = await remediateAndVerify("nacl-delete-allow-all-entry", opened());

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("DeleteNetworkAclEntryCommand")).toEqual([]);
  });
});
