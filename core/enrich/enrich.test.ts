import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { FIXED_NOW, makeDeps, makeIncident } from "../../test/notify/fixtures.js";
import { principalStateKey, signInBaselineKey } from "../detections/identity/principal-state.js";
import { scoreFactors } from "../score/factors.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import type { PrincipalBaselines } from "../store/ports.js";
import { correlationBaselines } from "./baselines.js";
import { enrichIncident } from "./enrich.js";

const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);

afterEach(() => {
  ec2.reset();
  s3.reset();
});

describe("enrichIncident: source", () => {
  it("locates a public address from the shipped GeoIP and ASN data", async () => {
    const deps = makeDeps();

    const enrichment = await enrichIncident(makeIncident({ sourceIp: "2a00:1450:4001:82b::200e" }), deps);

    expect(enrichment.source).toMatchObject({
      ip: "2a00:1450:4001:82b::200e",
      kind: "public",
      trusted: false,
      geo: { country: "DE", countryName: "Germany", city: "Frankfurt am Main", asn: 15169, asOrg: "Google LLC" },
    });
    expect(enrichment.source?.geo?.latitude).toBeCloseTo(50.1, 0);
  });

  it.each([
    ["52.95.110.1", "aws"],
    ["10.1.2.3", "private"],
    ["ec2.amazonaws.com", "service"],
    ["AWS Internal", "service"],
    ["not-an-ip<script>", "invalid"],
  ])("recognises %s as %s", async (ip, kind) => {
    const enrichment = await enrichIncident(makeIncident({ sourceIp: ip }), makeDeps());

    expect(enrichment.source?.kind).toBe(kind);
  });

  it("marks addresses in the configured trusted CIDRs", async () => {
    const deps = makeDeps({ config: { trustedCidrs: ["8.8.8.0/24", "10.0.0.0/8"] } });

    const office = await enrichIncident(makeIncident({ sourceIp: "8.8.8.8" }), deps);
    const vpn = await enrichIncident(makeIncident({ sourceIp: "10.9.9.9" }), deps);
    const other = await enrichIncident(makeIncident({ sourceIp: "1.1.1.1" }), deps);

    expect(office.source?.trusted).toBe(true);
    expect(vpn.source?.trusted).toBe(true);
    expect(other.source?.trusted).toBe(false);
  });

  it("omits the source when the finding has none", async () => {
    const enrichment = await enrichIncident(makeIncident({ sourceIp: undefined }), makeDeps());

    expect(enrichment.source).toBeUndefined();
    expect(enrichment.errors).toEqual([]);
  });
});

describe("enrichIncident: principal", () => {
  it.each([
    ["arn:aws:iam::123456789012:root", { principalType: "Root" }, "root", "root"],
    ["arn:aws:iam::123456789012:user/ops/alice", { principalType: "IAMUser" }, "iam-user", "alice"],
    ["arn:aws:sts::123456789012:assumed-role/Admin/bob@example.com", {}, "assumed-role", "Admin"],
    ["arn:aws:sts::123456789012:federated-user/carol", {}, "federated", "carol"],
    ["cloudtrail.amazonaws.com", {}, "aws-service", "cloudtrail.amazonaws.com"],
  ])("reads %s as %s", async (principal, facts, type, name) => {
    const incident = makeIncident({ principal, facts });

    const enrichment = await enrichIncident(incident, makeDeps());

    expect(enrichment.principal).toMatchObject({ type, name, account: "123456789012" });
  });

  it("reads whether MFA was used from the identity facts", async () => {
    const withMfa = makeIncident({ facts: { principalType: "IAMUser", mfaUsed: "Yes" } });
    const without = makeIncident({ facts: { principalType: "IAMUser", mfaUsed: false } });

    expect((await enrichIncident(withMfa, makeDeps())).principal?.mfa).toBe(true);
    expect((await enrichIncident(without, makeDeps())).principal?.mfa).toBe(false);
  });

  it("builds the principal's history from earlier incidents in the store", async () => {
    const deps = makeDeps();
    const principal = "arn:aws:iam::123456789012:user/alice";
    await deps.store.createIncident(
      makeIncident({
        id: "earlier-1",
        eventIds: ["earlier-event-1"],
        principal,
        sourceIp: "8.8.4.4",
        userAgent: "Mozilla/5.0 (Macintosh)",
        createdAt: "2026-03-01T09:00:00.000Z",
      }),
    );
    await deps.store.createIncident(
      makeIncident({ id: "other-principal", principal: "arn:aws:iam::123456789012:user/mallory", sourceIp: "1.1.1.1" }),
    );
    const current = makeIncident({ id: "current", principal, sourceIp: "185.220.101.1", userAgent: "curl/8.0" });
    await deps.store.createIncident(current);

    const enrichment = await enrichIncident(current, deps);

    expect(enrichment.principal).toMatchObject({
      firstSeen: "2026-03-01T09:00:00.000Z",
      knownIps: ["8.8.4.4"],
      knownDevices: 1,
      newIp: true,
      newDevice: true,
      newAsn: true,
      priorIncidents: 1,
    });
  });

  it("does not call an address new when it was seen before, nor without any history", async () => {
    const deps = makeDeps();
    await deps.store.createIncident(makeIncident({ id: "earlier", eventIds: ["earlier-event"], sourceIp: "8.8.8.8" }));

    const seen = await enrichIncident(makeIncident({ id: "now", sourceIp: "8.8.8.8" }), deps);
    const fresh = await enrichIncident(makeIncident({ id: "x", principal: "arn:aws:iam::1:user/new" }), makeDeps());

    expect(seen.principal?.newIp).toBe(false);
    expect(seen.principal?.newAsn).toBe(false);
    expect(fresh.principal?.newIp).toBeUndefined();
  });

  it("counts only incidents within the repeat lookback", async () => {
    const deps = makeDeps({ config: { scoring: { repeatLookbackDays: 7 } } });
    const old = new Date(FIXED_NOW.getTime() - 20 * 86_400_000).toISOString();
    await deps.store.createIncident(makeIncident({ id: "old", createdAt: old }));
    await deps.store.createIncident(makeIncident({ id: "recent", createdAt: "2026-03-09T10:00:00.000Z" }));

    const enrichment = await enrichIncident(makeIncident({ id: "now" }), deps);

    expect(enrichment.principal?.priorIncidents).toBe(1);
    expect(enrichment.principal?.firstSeen).toBe(old);
  });

  it("trusts the detection's baseline when it attached one", async () => {
    const incident = makeIncident({
      detection: "console-login-new-device",
      category: "identity",
      facts: { principalType: "IAMUser", baseline: { knownIps: ["8.8.8.8"], knownDevices: 3 } },
    });

    const enrichment = await enrichIncident(incident, makeDeps());

    expect(enrichment.principal).toMatchObject({
      knownIps: ["8.8.8.8"],
      knownDevices: 3,
      newDevice: true,
      newIp: false,
    });
  });

  it("degrades when the store fails, keeping what it knows", async () => {
    const deps = makeDeps();
    deps.store.listIncidents = async () => {
      throw new Error("store unavailable");
    };

    const enrichment = await enrichIncident(makeIncident(), deps);

    expect(enrichment.principal?.type).toBe("iam-user");
    expect(enrichment.errors).toEqual(["principal history: Error: store unavailable"]);
  });
});

describe("enrichIncident: principal baselines from the correlation store", () => {
  const ACCOUNT = "123456789012";
  const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
  const EVENT_TIME = Date.parse("2026-03-10T14:29:00.000Z");
  const DAY = 86_400_000;
  const KNOWN_IP = "81.2.69.142";
  const OTHER_IP = "89.160.20.112";
  const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
  const CHROME = "Mozilla/5.0 (Macintosh) Chrome/120.0";

  /** Alice signed in from the known address with Chrome a week ago; the detections then added the incident's own sign-in. */
  async function aliceBaseline(ip: string, userAgent: string): Promise<MemoryCorrelationStore> {
    const state = new MemoryCorrelationStore();
    const principal = principalStateKey(ACCOUNT, ALICE);
    const sightings: [string, string, number][] = [
      [KNOWN_IP, CHROME, EVENT_TIME - 7 * DAY],
      [ip, userAgent, EVENT_TIME],
    ];
    for (const [address, agent, now] of sightings) {
      const options = { now, expiresAt: now + 90 * DAY };
      await state.addToSet(signInBaselineKey("ip", principal), [address], options);
      await state.addToSet(signInBaselineKey("device", principal), [agent], options);
    }
    return state;
  }

  const newDeviceSignIn = (sourceIp: string, userAgent: string) =>
    makeIncident({
      id: `console-login-new-device-${sourceIp}`,
      detection: "console-login-new-device",
      category: "identity",
      severity: "low",
      principal: ALICE,
      account: ACCOUNT,
      sourceIp,
      userAgent,
      facts: { principalType: "IAMUser", userName: "alice" },
    });

  it("knows an address the principal signed in from before, with no earlier incident", async () => {
    const deps = makeDeps({ overrides: { baselines: correlationBaselines(await aliceBaseline(KNOWN_IP, FIREFOX)) } });
    const incident = newDeviceSignIn(KNOWN_IP, FIREFOX);

    const enrichment = await enrichIncident(incident, deps);
    const factors = scoreFactors({ incident, enrichment, config: deps.config }).map((factor) => factor.id);

    expect(enrichment.principal).toMatchObject({
      firstSeen: new Date(EVENT_TIME - 7 * DAY).toISOString(),
      knownIps: [KNOWN_IP],
      knownDevices: 1,
      newIp: false,
      newAsn: false,
      newDevice: true,
      priorIncidents: 0,
    });
    expect(factors).not.toContain("new-ip");
    expect(factors).toContain("new-device");
  });

  it("calls the incident's own address new although its sign-in is already in the baseline", async () => {
    const deps = makeDeps({ overrides: { baselines: correlationBaselines(await aliceBaseline(OTHER_IP, CHROME)) } });
    const incident = { ...newDeviceSignIn(OTHER_IP, CHROME), detection: "impossible-travel" as const };

    const enrichment = await enrichIncident(incident, deps);
    const factors = scoreFactors({ incident, enrichment, config: deps.config }).map((factor) => factor.id);

    expect(enrichment.principal).toMatchObject({ knownIps: [KNOWN_IP], newIp: true, newAsn: true, newDevice: false });
    expect(factors).toEqual(expect.arrayContaining(["new-ip", "new-asn"]));
    expect(factors).not.toContain("new-device");
  });

  it("does not count another detection's incident on the same sign-in as history", async () => {
    const deps = makeDeps({ overrides: { baselines: correlationBaselines(await aliceBaseline(OTHER_IP, FIREFOX)) } });
    const incident = newDeviceSignIn(OTHER_IP, FIREFOX);
    await deps.store.createIncident({
      ...incident,
      id: "console-login-new-ip-same-sign-in",
      detection: "console-login-new-ip",
    });

    const enrichment = await enrichIncident(incident, deps);

    expect(enrichment.principal?.knownIps).toEqual([KNOWN_IP]);
    expect(enrichment.principal?.newIp).toBe(true);
  });

  it("falls back to earlier incidents when the baselines cannot be read", async () => {
    const failing: PrincipalBaselines = {
      before: async () => {
        throw new Error("throttled");
      },
    };
    const deps = makeDeps({ overrides: { baselines: failing } });
    await deps.store.createIncident(makeIncident({ id: "earlier", eventIds: ["earlier-event"], sourceIp: "8.8.8.8" }));

    const enrichment = await enrichIncident(makeIncident({ id: "now", sourceIp: "8.8.8.8" }), deps);

    expect(enrichment.errors).toEqual(["principal baseline: Error: throttled"]);
    expect(enrichment.principal).toMatchObject({ knownIps: ["8.8.8.8"], newIp: false, priorIncidents: 1 });
  });
});

describe("enrichIncident: resource from the event stream", () => {
  it("describes a security group from the finding's facts, with production and protection tags", async () => {
    const incident = makeIncident({
      facts: { groupId: "sg-0a1b2c3d", vpcId: "vpc-1", tags: { Environment: "Production", "riposte:protect": "true" } },
    });

    const enrichment = await enrichIncident(incident, makeDeps());

    expect(enrichment.resource).toEqual({
      type: "security-group",
      id: "sg-0a1b2c3d",
      tags: { Environment: "Production", "riposte:protect": "true" },
      production: true,
      protected: true,
      related: { vpcId: "vpc-1" },
    });
    expect(ec2.calls()).toHaveLength(0);
  });

  it("identifies buckets, trails, web clients and users", async () => {
    const cases = [
      [{ category: "storage", facts: { bucket: "logs" } }, "s3-bucket", "logs"],
      [{ category: "logging", facts: { trailName: "main" } }, "cloudtrail-trail", "main"],
      [{ category: "logging", facts: { clientIp: "9.9.9.9" } }, "ip-address", "9.9.9.9"],
      [{ category: "identity", facts: { principalType: "IAMUser", targetUserName: "bob" } }, "iam-user", "bob"],
      [{ category: "threat", facts: { resourceType: "Instance", instanceId: "i-1" } }, "ec2-instance", "i-1"],
    ] as const;
    for (const [overrides, type, id] of cases) {
      const enrichment = await enrichIncident(
        makeIncident({ ...overrides, facts: { ...overrides.facts } }),
        makeDeps(),
      );
      expect(enrichment.resource).toMatchObject({ type, id, production: false, protected: false });
    }
  });
});

describe("enrichIncident: resource described live", () => {
  it("describes the group and the interfaces and instances using it", async () => {
    ec2.on(DescribeSecurityGroupsCommand, { GroupIds: ["sg-0a1b2c3d"] }).resolves({
      SecurityGroups: [
        {
          GroupId: "sg-0a1b2c3d",
          GroupName: "web",
          VpcId: "vpc-9",
          Tags: [{ Key: "env", Value: "prod" }],
          IpPermissions: [{}],
        },
      ],
    });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        { NetworkInterfaceId: "eni-1", Attachment: { InstanceId: "i-1" } },
        { NetworkInterfaceId: "eni-2", Attachment: { InstanceId: "i-1" } },
        { NetworkInterfaceId: "eni-3" },
      ],
    });
    const deps = makeDeps({ overrides: { mode: "live" } });

    const enrichment = await enrichIncident(makeIncident(), deps);

    expect(enrichment.resource).toMatchObject({
      type: "security-group",
      tags: { env: "prod" },
      production: true,
      related: {
        groupName: "web",
        vpcId: "vpc-9",
        networkInterfaceIds: ["eni-1", "eni-2", "eni-3"],
        instanceIds: ["i-1"],
      },
    });
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: "group-id", Values: ["sg-0a1b2c3d"] }],
    });
    expect(enrichment.errors).toEqual([]);
  });

  it("describes a bucket's tags, policy status and public access block", async () => {
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: "environment", Value: "production" }] });
    s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: true } });
    s3.on(GetPublicAccessBlockCommand).rejects(
      Object.assign(new Error("The public access block configuration was not found"), {
        name: "NoSuchPublicAccessBlockConfiguration",
      }),
    );
    const incident = makeIncident({
      category: "storage",
      detection: "s3-bucket-policy-public",
      facts: { bucket: "data" },
    });

    const enrichment = await enrichIncident(incident, makeDeps({ overrides: { mode: "live" } }));

    expect(enrichment.resource).toMatchObject({
      type: "s3-bucket",
      id: "data",
      production: true,
      related: { policyPublic: true, publicAccessBlock: null },
    });
    expect(enrichment.errors).toEqual([]);
  });

  it("degrades when AWS refuses, keeping the event-stream facts", async () => {
    ec2
      .on(DescribeSecurityGroupsCommand)
      .rejects(Object.assign(new Error("not authorised"), { name: "UnauthorizedOperation" }));
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .rejects(Object.assign(new Error("throttled"), { name: "RequestLimitExceeded" }));

    const enrichment = await enrichIncident(makeIncident(), makeDeps({ overrides: { mode: "live" } }));

    expect(enrichment.resource).toMatchObject({
      type: "security-group",
      id: "sg-0a1b2c3d",
      related: { groupName: "web" },
    });
    expect(enrichment.errors).toEqual([
      "resource: DescribeSecurityGroups failed: UnauthorizedOperation: not authorised",
      "resource: DescribeNetworkInterfaces failed: RequestLimitExceeded: throttled",
    ]);
  });

  it("records a group that no longer exists without failing", async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(Object.assign(new Error("gone"), { name: "InvalidGroup.NotFound" }));

    const enrichment = await enrichIncident(makeIncident(), makeDeps({ overrides: { mode: "live" } }));

    expect(enrichment.resource?.related).toMatchObject({ exists: false });
    expect(enrichment.errors).toEqual([]);
  });
});
