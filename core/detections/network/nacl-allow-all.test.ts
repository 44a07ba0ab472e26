import { describe, expect, it } from "vitest";
import { record } from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { normalizeRecords } from "../../events/index.js";
import { compilePattern } from "../../patterns/compile.js";
import { matches } from "../../patterns/match.js";
import { detectionPattern } from "../catalog.js";
import { naclAllowAll } from "./nacl-allow-all.js";

type Json = Record<string, unknown>;

const config = parseConfig({});
const pattern = compilePattern(detectionPattern(naclAllowAll, config));

function run(requestParameters: unknown, eventName = "CreateNetworkAclEntry") {
  const envelope = normalizeRecords(
    record("ec2.amazonaws.com", eventName, requestParameters, { requestId: "r", _return: true }),
  ).events[0]!.envelope;
  return { finding: naclAllowAll.evaluate(envelope, config), selected: matches(pattern, envelope) };
}

const entry = (changes: Json): Json => ({
  networkAclId: "acl-0a1b",
  ruleNumber: 90,
  egress: false,
  ruleAction: "allow",
  icmpTypeCode: {},
  portRange: {},
  aclProtocol: "-1",
  cidrBlock: "0.0.0.0/0",
  ...changes,
});

describe("nacl-allow-all", () => {
  it("reports the entry an action would delete: ACL, rule number, direction and range", () => {
    const { finding, selected } = run(entry({ cidrBlock: undefined, ipv6CidrBlock: "::/0" }), "ReplaceNetworkAclEntry");

    expect(selected).toBe(true);
    expect(finding).toMatchObject({
      resource: "acl-0a1b",
      summary:
        "arn:aws:iam::123456789012:user/alice replaced inbound entry 90 of network ACL acl-0a1b: allow all traffic from ::/0",
      facts: {
        eventName: "ReplaceNetworkAclEntry",
        networkAclId: "acl-0a1b",
        ruleNumber: 90,
        egress: false,
        ruleAction: "allow",
        aclProtocol: "-1",
        ipv6CidrBlock: "::/0",
      },
    });
  });

  it("reads the values re-exports write as strings or numbers, and any /0", () => {
    for (const changes of [
      { ruleNumber: "90", egress: "false" },
      { aclProtocol: -1 },
      { aclProtocol: "all", ruleAction: "ALLOW" },
      { cidrBlock: "10.1.2.3/0" },
    ]) {
      expect(run(entry(changes)), JSON.stringify(changes)).toMatchObject({ selected: true, finding: { facts: {} } });
    }
  });

  it("leaves out what is not an inbound allow of every protocol from everywhere", () => {
    for (const changes of [
      { egress: true },
      { egress: "true" },
      { egress: undefined },
      { ruleAction: "deny" },
      { aclProtocol: "6", portRange: { from: 0, to: 65535 } },
      { aclProtocol: "17" },
      { aclProtocol: undefined },
      { cidrBlock: "0.0.0.0/1" },
      { cidrBlock: "203.0.113.0/24" },
      { cidrBlock: undefined, ipv6CidrBlock: "2001:db8::/32" },
    ]) {
      expect(run(entry(changes)).finding, JSON.stringify(changes)).toBeUndefined();
    }
  });

  it("never throws on odd shapes", () => {
    for (const request of [
      null,
      "x",
      7,
      [],
      {},
      entry({ networkAclId: {}, ruleNumber: [] }),
      entry({ cidrBlock: 5 }),
    ]) {
      expect(() => run(request)).not.toThrow();
    }
    expect(run(entry({ networkAclId: {}, ruleNumber: [] })).finding).toMatchObject({
      resource: "network-acl",
      facts: { networkAclId: "" },
    });
  });
});
