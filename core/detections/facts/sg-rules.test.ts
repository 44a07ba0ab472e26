import { describe, expect, it } from "vitest";
import {
  authorizeIngress,
  authorizeIngressFlat,
  modifyRules,
  revokeIngressByRuleId,
} from "../../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../../config/load.js";
import { cidrWithin, modifiedRules, requestedRules, temporaryKeyword } from "./sg-rules.js";

const config = parseConfig({});

describe("reading security group rules from CloudTrail", () => {
  it("reads IpPermissions items, with descriptions and the created rule ids from the response", () => {
    const record = authorizeIngress("sg-1", [
      { from: 22, to: 22, cidrs: ["0.0.0.0/0", "10.0.0.0/8"], description: "ssh" },
      { protocol: "-1", ipv6: ["::/0"] },
    ]);

    const { groupId, rules } = requestedRules(record, false);

    expect(groupId).toBe("sg-1");
    expect(rules).toEqual([
      {
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: "0.0.0.0/0",
        description: "ssh",
        ruleId: expect.stringMatching(/^sgr-/),
      },
      {
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: "10.0.0.0/8",
        description: "ssh",
        ruleId: expect.stringMatching(/^sgr-/),
      },
      { ipProtocol: "-1", cidrIpv6: "::/0", ruleId: expect.stringMatching(/^sgr-/) },
    ]);
    expect(new Set(rules.map((rule) => rule.ruleId)).size).toBe(3);
  });

  it("reads the older flat form and ports written as strings", () => {
    const flat = requestedRules(authorizeIngressFlat("sg-2", "0.0.0.0/0", 3389), false);
    const strings = requestedRules(
      {
        requestParameters: {
          groupId: "sg-3",
          ipPermissions: {
            items: [
              { ipProtocol: "tcp", fromPort: "443", toPort: "443", ipRanges: { items: [{ cidrIp: "0.0.0.0/16" }] } },
            ],
          },
        },
      },
      false,
    );

    expect(flat.rules).toEqual([
      expect.objectContaining({ ipProtocol: "tcp", fromPort: 3389, toPort: 3389, cidrIpv4: "0.0.0.0/0" }),
    ]);
    expect(strings.rules).toEqual([{ ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/16" }]);
  });

  it("reads revokes by rule id and ModifySecurityGroupRules requests (one entry or several)", () => {
    const revoke = requestedRules(revokeIngressByRuleId("sg-4", ["sgr-a", "sgr-b"]), false);
    const one = modifiedRules(
      modifyRules("sg-5", [{ ruleId: "sgr-c", from: 22, to: 22, cidrIpv4: "0.0.0.0/0", description: "x" }]),
    );
    const two = modifiedRules(
      modifyRules("sg-5", [
        { ruleId: "sgr-d", cidrIpv6: "::/0", protocol: "-1" },
        { ruleId: "sgr-e", from: 1, to: 2, cidrIpv4: "1.2.3.4/32" },
      ]),
    );

    expect(revoke).toEqual({ groupId: "sg-4", rules: [], ruleIds: ["sgr-a", "sgr-b"] });
    expect(one.rules).toEqual([
      { ruleId: "sgr-c", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", description: "x" },
    ]);
    expect(two.rules.map((rule) => rule.ruleId)).toEqual(["sgr-d", "sgr-e"]);
  });
});

describe("approved ranges and temporary descriptions", () => {
  it("checks CIDR containment for approved ranges", () => {
    expect(cidrWithin("10.1.0.0/16", ["10.0.0.0/8"])).toBe(true);
    expect(cidrWithin("10.0.0.0/8", ["10.1.0.0/16"])).toBe(false);
    expect(cidrWithin("2001:db8:1::/48", ["2001:db8::/32"])).toBe(true);
    expect(cidrWithin("nonsense", ["0.0.0.0/0"])).toBe(false);
  });

  it.each([
    ["TEMP access", "temp"],
    ["tmpAccess for bob", "tmp"],
    ["please Delete Me tomorrow", "delete me"],
    ["debug-ssh", "debug"],
    ["template server", undefined],
    ["attestation service", undefined],
    ["latest build", undefined],
  ])("temporary keyword in %j: %s", (description, expected) => {
    expect(temporaryKeyword(description, config.network.temporaryKeywords)).toBe(expected);
  });
});
