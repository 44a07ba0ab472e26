import { GetResourceConfigHistoryCommand } from "@aws-sdk/client-config-service";
import {
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  ReplaceNetworkAclEntryCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { INCIDENT_TIME, incident } from "../../../test/remediation/fixtures.js";
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

  it("restores a replaced entry with approval: the previous entry is read live from AWS Config", () => {
    expect(staticPlan("nacl-delete-allow-all-entry", opened({ eventName: "ReplaceNetworkAclEntry" }))).toMatchObject({
      ok: true,
      planned: {
        target: `network ACL ${ACL} inbound entry 90`,
        destructive: true,
        permissions: expect.arrayContaining(["ec2:ReplaceNetworkAclEntry", "config:GetResourceConfigHistory"]),
        calls: [
          {
            service: "ec2",
            operation: "ReplaceNetworkAclEntry",
            params: {
              NetworkAclId: ACL,
              RuleNumber: 90,
              Egress: false,
              RuleAction: { $live: `the entry AWS Config recorded before ${new Date(INCIDENT_TIME).toISOString()}` },
            },
            region: "eu-west-1",
          },
        ],
      },
    });
  });

  it.each([
    ["no ACL", { networkAclId: undefined }, /no network ACL/],
    ["an odd ACL id", { networkAclId: "acl-../x" }, /no network ACL/],
    ["no rule number", { ruleNumber: undefined }, /rule number/],
    ["a rule number as text", { ruleNumber: "90" }, /rule number/],
    ["a rule number out of range", { ruleNumber: 32767 }, /rule number/],
    ["an outbound entry", { egress: true }, /not an inbound/],
    ["another event", { eventName: "DeleteNetworkAcl" }, /or ReplaceNetworkAclEntry, not "DeleteNetworkAcl"/],
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

/*
 * ReplaceNetworkAclEntry: the previous entry comes from AWS Config's GetResourceConfigHistory.
 * moto (5.2.1) keeps no Config history: its GetResourceConfigHistory ignores laterTime and limit,
 * answers only the current item, and only for the types of its RESOURCE_MAP (S3 buckets, IAM
 * roles and policies, SNS topics...), raising ResourceNotDiscoveredException for
 * AWS::EC2::NetworkAcl. So Config is mocked here with aws-sdk-client-mock, to the API reference.
 */
describe("nacl-delete-allow-all-entry: restoring a replaced entry", () => {
  const replaced = () => opened({ eventName: "ReplaceNetworkAclEntry" });
  const before = new Date(Date.parse(INCIDENT_TIME) - 3_600_000);
  const after = new Date(Date.parse(INCIDENT_TIME) + 60_000);
  const https = {
    RuleNumber: 90,
    Egress: false,
    RuleAction: "allow" as const,
    Protocol: "6",
    CidrBlock: "10.0.0.0/8",
    PortRange: { From: 443, To: 443 },
  };
  /** A configuration item as Config records an EC2 network ACL (camelCase, absent values null). */
  const item = (captured: Date, entries: object[]) => ({
    configurationItemCaptureTime: captured,
    configurationItemStatus: "OK" as const,
    resourceType: "AWS::EC2::NetworkAcl" as const,
    resourceId: ACL,
    configuration: JSON.stringify({ networkAclId: ACL, isDefault: false, entries }),
  });
  const configHttps = {
    ruleNumber: 90,
    egress: false,
    ruleAction: "allow",
    protocol: "6",
    cidrBlock: "10.0.0.0/8",
    ipv6CidrBlock: null,
    portRange: { from: 443, to: 443 },
    icmpTypeCode: null,
  };
  const configAllowAll = { ...configHttps, protocol: "-1", cidrBlock: "0.0.0.0/0", portRange: null };
  const configOutbound = { ...configAllowAll, egress: true, ruleAction: "deny" };

  it("needs approval: unapproved, nothing is read or written", async () => {
    const { applied } = await remediateAndVerify("nacl-delete-allow-all-entry", replaced());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/is destructive/) });
    expect(aws.inputs("ReplaceNetworkAclEntryCommand")).toEqual([]);
  });

  it("writes back the entry Config recorded strictly before the event, field for field, and verifies it", async () => {
    aws.ec2
      .on(DescribeNetworkAclsCommand)
      .resolvesOnce(acl([allowAll]))
      .resolves(acl([https]));
    aws.config.on(GetResourceConfigHistoryCommand).resolves({
      // Newest first: the item of the replace itself (captured after the event) is not the previous one.
      configurationItems: [item(after, [configAllowAll]), item(before, [configOutbound, configHttps])],
    });

    const { applied, verification } = await remediateAndVerify("nacl-delete-allow-all-entry", replaced(), undefined, {
      approved: true,
    });

    expect(aws.inputs("GetResourceConfigHistoryCommand")[0]).toEqual({
      resourceType: "AWS::EC2::NetworkAcl",
      resourceId: ACL,
      laterTime: new Date(INCIDENT_TIME),
      limit: 5,
    });
    expect(aws.inputs("ReplaceNetworkAclEntryCommand")).toEqual([
      {
        NetworkAclId: ACL,
        RuleNumber: 90,
        Egress: false,
        RuleAction: "allow",
        Protocol: "6",
        CidrBlock: "10.0.0.0/8",
        PortRange: { From: 443, To: 443 },
      },
    ]);
    expect(aws.inputs("DeleteNetworkAclEntryCommand")).toEqual([]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("restores an ICMP deny over IPv6 with its type and code", async () => {
    aws.ec2.on(DescribeNetworkAclsCommand).resolves(acl([allowAll]));
    aws.ec2.on(ReplaceNetworkAclEntryCommand).resolves({});
    aws.config.on(GetResourceConfigHistoryCommand).resolves({
      configurationItems: [
        item(before, [
          {
            ...configHttps,
            ruleAction: "deny",
            protocol: "58",
            cidrBlock: null,
            ipv6CidrBlock: "2001:db8::/32",
            portRange: null,
            icmpTypeCode: { type: 128, code: -1 },
          },
        ]),
      ],
    });

    await remediateAndVerify("nacl-delete-allow-all-entry", replaced(), undefined, { approved: true });

    expect(aws.inputs("ReplaceNetworkAclEntryCommand")).toEqual([
      {
        NetworkAclId: ACL,
        RuleNumber: 90,
        Egress: false,
        RuleAction: "deny",
        Protocol: "58",
        Ipv6CidrBlock: "2001:db8::/32",
        IcmpTypeCode: { Type: 128, Code: -1 },
      },
    ]);
  });

  it.each([
    [
      "Config has never recorded the ACL",
      () => aws.config.on(GetResourceConfigHistoryCommand).rejects(awsError("ResourceNotDiscoveredException")),
    ],
    [
      "Config has no item from before the event",
      () =>
        aws.config
          .on(GetResourceConfigHistoryCommand)
          .resolves({ configurationItems: [item(after, [configAllowAll])] }),
    ],
    [
      "the item before has no entry at the rule number",
      () =>
        aws.config
          .on(GetResourceConfigHistoryCommand)
          .resolves({ configurationItems: [item(before, [configOutbound])] }),
    ],
  ])("refuses, naming Config, when %s", async (_, mockConfig) => {
    aws.ec2.on(DescribeNetworkAclsCommand).resolves(acl([allowAll]));
    mockConfig();

    const { applied, verification } = await remediateAndVerify("nacl-delete-allow-all-entry", replaced(), undefined, {
      approved: true,
    });

    expect(applied).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/AWS Config holds no configuration item .* cannot be restored/),
    });
    expect(aws.inputs("ReplaceNetworkAclEntryCommand")).toEqual([]);
    expect(aws.inputs("DeleteNetworkAclEntryCommand")).toEqual([]);
    expect(verification.verified).toBe(false);
  });

  it("fails verification when the entry read back differs from the previous one", async () => {
    aws.ec2
      .on(DescribeNetworkAclsCommand)
      .resolvesOnce(acl([allowAll]))
      .resolves(acl([{ ...https, PortRange: { From: 443, To: 444 } }]));
    aws.ec2.on(ReplaceNetworkAclEntryCommand).resolves({});
    aws.config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [item(before, [configHttps])] });

    const { applied, verification } = await remediateAndVerify("nacl-delete-allow-all-entry", replaced(), undefined, {
      approved: true,
    });

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [
        expect.objectContaining({
          ok: false,
          detail: "allow 6 from 10.0.0.0/8 ports 443-444 (previous: allow 6 from 10.0.0.0/8 ports 443-443)",
        }),
      ],
    });
  });

  it("is already done when the entry is the previous one again", async () => {
    aws.ec2.on(DescribeNetworkAclsCommand).resolves(acl([https]));
    aws.config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [item(before, [configHttps])] });

    const { applied, verification } = await remediateAndVerify("nacl-delete-allow-all-entry", replaced(), undefined, {
      approved: true,
    });

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("ReplaceNetworkAclEntryCommand")).toEqual([]);
    expect(verification.verified).toBe(true);
  });
});
