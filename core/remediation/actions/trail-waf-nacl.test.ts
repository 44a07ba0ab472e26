import {
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import { DescribeNetworkAclsCommand, type NetworkAclEntry } from "@aws-sdk/client-ec2";
import { GetIPSetCommand, UpdateIPSetCommand } from "@aws-sdk/client-wafv2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws, runPlanned } from "../../../test/remediation/mock-aws.js";
import { explainPlan } from "../policy.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

describe("cloudtrail-start-logging", () => {
  const arn = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-trail";
  const stopped = incident("cloudtrail-tampering", { eventName: "StopLogging", trailName: arn });

  it("starts the trail by name in its home region", async () => {
    aws.cloudtrail.on(GetTrailCommand).resolves({ Trail: { Name: "org-trail", TrailARN: arn } });
    aws.cloudtrail.on(GetTrailStatusCommand).resolvesOnce({ IsLogging: false }).resolves({ IsLogging: true });
    aws.cloudtrail.on(ListTagsCommand).resolves({ ResourceTagList: [{ ResourceId: arn, TagsList: [] }] });
    aws.cloudtrail.on(StartLoggingCommand).resolves({});

    const { applied } = await runPlanned(stopped, config());

    expect(aws.inputs("StartLoggingCommand")).toEqual([{ Name: "org-trail" }]);
    expect(applied.calls).toEqual([
      { service: "cloudtrail", operation: "StartLogging", params: { Name: "org-trail" }, region: "eu-west-1" },
    ]);
    expect(applied).toMatchObject({ before: { state: { logging: false } }, after: { state: { logging: true } } });
  });

  it("is already done on a trail that logs", async () => {
    aws.cloudtrail.on(GetTrailCommand).resolves({ Trail: { Name: "org-trail", TrailARN: arn } });
    aws.cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    aws.cloudtrail.on(ListTagsCommand).resolves({});

    const { applied } = await runPlanned(stopped, config());

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("StartLoggingCommand")).toEqual([]);
  });

  it("does not pretend StartLogging undoes a deleted trail or changed selectors", () => {
    const deleted = explainPlan(
      incident("cloudtrail-tampering", { eventName: "DeleteTrail", trailName: "t1" }),
      config(),
    );
    const selectors = explainPlan(
      incident("cloudtrail-tampering", { eventName: "PutEventSelectors", trailName: "t1" }),
      config(),
    );

    expect(deleted.notes.join()).toMatch(/recreate the trail/);
    expect(selectors.notes.join()).toMatch(/does not undo PutEventSelectors/);
  });
});

describe("waf-block-ip", () => {
  const wafConfig = config({ remediation: { wafIpSet: { name: "scanners", id: "set-1", scope: "REGIONAL" } } });
  const scanning = incident("web-scanning", { clientIp: "203.0.113.7" });
  const ipSet = (addresses: string[], token: string) => ({
    IPSet: {
      Name: "scanners",
      Id: "set-1",
      ARN: "arn",
      IPAddressVersion: "IPV4" as const,
      Addresses: addresses,
      Description: "keep me",
    },
    LockToken: token,
  });

  it("adds the /32 with the lock token, keeping the addresses and the description", async () => {
    aws.wafv2.on(GetIPSetCommand).resolves(ipSet(["198.51.100.0/24"], "token-1"));
    aws.wafv2.on(UpdateIPSetCommand).resolves({ NextLockToken: "token-2" });

    await runPlanned(scanning, wafConfig);

    expect(aws.inputs("UpdateIPSetCommand")).toEqual([
      {
        Name: "scanners",
        Scope: "REGIONAL",
        Id: "set-1",
        Addresses: ["198.51.100.0/24", "203.0.113.7/32"],
        LockToken: "token-1",
        Description: "keep me",
      },
    ]);
  });

  it("reads again and retries with the new token after an optimistic-lock conflict", async () => {
    aws.wafv2
      .on(GetIPSetCommand)
      .resolvesOnce(ipSet([], "stale"))
      .resolvesOnce(ipSet(["192.0.2.1/32"], "fresh"))
      .resolves(ipSet(["192.0.2.1/32", "203.0.113.7/32"], "after"));
    aws.wafv2
      .on(UpdateIPSetCommand)
      .rejectsOnce(Object.assign(new Error("stale token"), { name: "WAFOptimisticLockException" }))
      .resolves({});

    const { applied } = await runPlanned(scanning, wafConfig);

    expect(
      (aws.inputs("UpdateIPSetCommand") as { LockToken: string; Addresses: string[] }[]).map((i) => [
        i.LockToken,
        i.Addresses,
      ]),
    ).toEqual([
      ["stale", ["203.0.113.7/32"]],
      ["fresh", ["192.0.2.1/32", "203.0.113.7/32"]],
    ]);
    expect(applied.outcome).toBe("applied");
  });

  it("is already done when a range in the set covers the address", async () => {
    aws.wafv2.on(GetIPSetCommand).resolves(ipSet(["203.0.113.0/24"], "t"));

    const { applied } = await runPlanned(scanning, wafConfig);

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("UpdateIPSetCommand")).toEqual([]);
  });

  it("fails, naming it, when the configured IP set does not exist", async () => {
    aws.wafv2.on(GetIPSetCommand).rejects(Object.assign(new Error("nope"), { name: "WAFNonexistentItemException" }));

    const { applied } = await runPlanned(scanning, wafConfig);

    expect(applied).toMatchObject({ outcome: "failed", error: expect.stringMatching(/scanners.*does not exist/) });
  });

  it("records the update with live markers in dry-run", async () => {
    const { applied } = await runPlanned(scanning, wafConfig, { mode: "dry-run" });

    expect(aws.sent()).toEqual([]);
    expect(applied.calls[0]?.params).toMatchObject({
      Addresses: { $live: expect.stringContaining("203.0.113.7/32") },
      LockToken: { $live: "GetIPSet.LockToken" },
    });
  });
});

describe("nacl-deny-ip", () => {
  const aclConfig = config({
    remediation: { networkAcl: { id: "acl-0123456789abcdef0", ruleNumbers: { first: 10, last: 12 } } },
  });
  const scanning = incident("web-scanning", { clientIp: "2001:db8:0:0:0:0:0:7" });
  const entries = (list: NetworkAclEntry[]) => ({
    NetworkAcls: [{ NetworkAclId: "acl-0123456789abcdef0", Entries: list }],
  });
  const allowAll = {
    RuleNumber: 100,
    Egress: false,
    RuleAction: "allow" as const,
    Protocol: "-1",
    Ipv6CidrBlock: "::/0",
  };

  it("takes the lowest free inbound rule number of the range for an IPv6 /128", async () => {
    aws.ec2
      .on(DescribeNetworkAclsCommand)
      .resolvesOnce(
        entries([allowAll, { ...allowAll, RuleNumber: 10, RuleAction: "deny", Ipv6CidrBlock: "2001:db8::9/128" }]),
      )
      .resolves(
        entries([
          allowAll,
          { RuleNumber: 11, Egress: false, RuleAction: "deny", Protocol: "-1", Ipv6CidrBlock: "2001:db8::7/128" },
        ]),
      );

    const { applied } = await runPlanned(scanning, aclConfig);

    expect(aws.inputs("CreateNetworkAclEntryCommand")).toEqual([
      {
        NetworkAclId: "acl-0123456789abcdef0",
        RuleNumber: 11,
        Protocol: "-1",
        RuleAction: "deny",
        Egress: false,
        Ipv6CidrBlock: "2001:db8::7/128",
      },
    ]);
    expect(applied.outcome).toBe("applied");
  });

  it("is already done when a deny entry for the address is already there", async () => {
    aws.ec2
      .on(DescribeNetworkAclsCommand)
      .resolves(
        entries([
          allowAll,
          { RuleNumber: 12, Egress: false, RuleAction: "deny", Protocol: "-1", Ipv6CidrBlock: "2001:db8::7/128" },
        ]),
      );

    const { applied } = await runPlanned(scanning, aclConfig);

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("CreateNetworkAclEntryCommand")).toEqual([]);
  });

  it("adds a deny before an earlier allow when the deny already there comes after it", async () => {
    const earlyAllow = { ...allowAll, RuleNumber: 11, Ipv6CidrBlock: "2001:db8::/64" };
    const lateDeny = { ...allowAll, RuleNumber: 50, RuleAction: "deny" as const, Ipv6CidrBlock: "2001:db8::7/128" };
    aws.ec2
      .on(DescribeNetworkAclsCommand)
      .resolvesOnce(entries([allowAll, earlyAllow, lateDeny]))
      .resolves(entries([allowAll, earlyAllow, lateDeny, { ...lateDeny, RuleNumber: 10 }]));

    const { applied } = await runPlanned(scanning, aclConfig);

    expect(aws.inputs("CreateNetworkAclEntryCommand")).toEqual([
      expect.objectContaining({ RuleNumber: 10, RuleAction: "deny", Ipv6CidrBlock: "2001:db8::7/128" }),
    ]);
    expect(applied.outcome).toBe("applied");
  });

  it("refuses to add a deny that an earlier allow would make useless, saying which", async () => {
    const earlyAllow = { ...allowAll, RuleNumber: 5, Ipv6CidrBlock: "2001:db8::/32" };
    aws.ec2.on(DescribeNetworkAclsCommand).resolves(entries([allowAll, earlyAllow]));

    const { applied } = await runPlanned(scanning, aclConfig);

    expect(applied).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/inbound rule 5 .* allows 2001:db8::7\/128 before any free rule number in 10-12/),
    });
    expect(aws.inputs("CreateNetworkAclEntryCommand")).toEqual([]);
  });

  it("fails when the range has no free rule number", async () => {
    aws.ec2.on(DescribeNetworkAclsCommand).resolves(
      entries(
        [10, 11, 12].map((RuleNumber) => ({
          ...allowAll,
          RuleNumber,
          RuleAction: "deny" as const,
          Ipv6CidrBlock: `2001:db8::${RuleNumber}/128`,
        })),
      ),
    );

    const { applied } = await runPlanned(scanning, aclConfig);

    expect(applied).toMatchObject({
      outcome: "failed",
      error: expect.stringMatching(/no free inbound rule number in 10-12/),
    });
  });
});
