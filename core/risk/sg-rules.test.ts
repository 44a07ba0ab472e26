import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/load.js";
import type { SgRule } from "../model/facts.js";
import {
  alarmingPorts,
  describePorts,
  describeRule,
  exposedPorts,
  exposedRiskyPorts,
  exposesAlarmingPort,
  exposesPorts,
  isWorldOpenRule,
  normalizeProtocol,
  ruleCoversPort,
  ruleSignature,
  sameRuleShape,
} from "./sg-rules.js";

const config = parseConfig({});

describe("security group rule exposure", () => {
  it.each([
    [{ ipProtocol: "tcp", cidrIpv4: "0.0.0.0/0" }, true],
    [{ ipProtocol: "tcp", cidrIpv6: "::/0" }, true],
    [{ ipProtocol: "tcp", cidrIpv4: "203.0.113.9/0" }, true],
    [{ ipProtocol: "tcp", cidrIpv4: "0.0.0.0/1" }, false],
    [{ ipProtocol: "tcp", cidrIpv4: "10.0.0.0/8" }, false],
    [{ ipProtocol: "tcp", cidrIpv4: "not a range" }, false],
  ])("world-open %j is %s", (rule, expected) => {
    expect(isWorldOpenRule(rule)).toBe(expected);
  });

  // The cases detection and remediation used to answer differently come first (see sg-rules.ts).
  it.each<[string, SgRule, number, boolean]>([
    [
      "tcp with FromPort/ToPort -1: every port (remediation read none)",
      { ipProtocol: "tcp", fromPort: -1, toPort: -1 },
      22,
      true,
    ],
    ["udp with FromPort -1: every port", { ipProtocol: "udp", fromPort: -1, toPort: -1 }, 3389, true],
    ["tcp with no ports recorded: every port", { ipProtocol: "tcp" }, 5432, true],
    ["protocol 6 is tcp", { ipProtocol: "6", fromPort: 22, toPort: 22 }, 22, true],
    ["protocol 17 is udp", { ipProtocol: "17", fromPort: 0, toPort: 100 }, 22, true],
    ["TCP in capitals is tcp", { ipProtocol: "TCP", fromPort: 22, toPort: 22 }, 22, true],
    ["all protocols (-1): every port", { ipProtocol: "-1" }, 3389, true],
    ["all protocols spelled all", { ipProtocol: "all", fromPort: 8, toPort: 9 }, 22, true],
    ["tcp range covering the port", { ipProtocol: "tcp", fromPort: 20, toPort: 25 }, 22, true],
    ["tcp range missing the port", { ipProtocol: "tcp", fromPort: 23, toPort: 80 }, 22, false],
    ["icmp -1 (all types): no TCP port", { ipProtocol: "icmp", fromPort: -1, toPort: -1 }, 22, false],
    ["icmp as 1", { ipProtocol: "1", fromPort: 22, toPort: 22 }, 22, false],
    ["icmpv6 (58) with no ports", { ipProtocol: "58" }, 22, false],
    ["GRE (47): no TCP port", { ipProtocol: "47" }, 22, false],
  ])("%s", (_name, rule, port, expected) => {
    expect(ruleCoversPort(rule, port)).toBe(expected);
  });

  it("lists the risky ports a rule exposes, including configured extras", () => {
    const extra = parseConfig({ network: { extraRiskyPorts: [6379] } });

    expect(exposedRiskyPorts({ ipProtocol: "tcp", fromPort: 3000, toPort: 7000 }, config)).toEqual([3306, 3389, 5432]);
    expect(exposedRiskyPorts({ ipProtocol: "tcp", fromPort: 6379, toPort: 6379 }, extra)).toEqual([6379]);
    expect(exposedPorts({ ipProtocol: "tcp", fromPort: 0, toPort: 4000 }, [5432, 22, 3389])).toEqual([22, 3389]);
  });

  it("counts only world-open ingress rules on a watched port as exposure", () => {
    const ssh = { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" };

    expect(exposesPorts(ssh, [22])).toBe(true);
    expect(exposesPorts({ ...ssh, egress: true }, [22])).toBe(false);
    expect(exposesPorts({ ...ssh, cidrIpv4: "10.0.0.0/8" }, [22])).toBe(false);
    expect(exposesPorts(ssh, [3389])).toBe(false);
  });

  it("responds to world-open SSH and risky ports, never to a world-open web port", () => {
    const noSsh = parseConfig({ network: { riskyPorts: [3389] } });
    const https = { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" };
    const ssh = { ...https, fromPort: 22, toPort: 22 };

    expect(exposesAlarmingPort(https, config)).toBe(false);
    expect(exposesAlarmingPort({ ...https, fromPort: 0, toPort: 65535 }, config)).toBe(true);
    expect(
      exposesAlarmingPort({ ...https, fromPort: 3306, toPort: 3306, cidrIpv6: "::/0", cidrIpv4: undefined }, config),
    ).toBe(true);
    expect(exposesAlarmingPort({ ...ssh, cidrIpv4: "10.0.0.0/8" }, config)).toBe(false);
    // SSH stays watched when `riskyPorts` replaces the list, as sg-ssh-open-world watches it.
    expect(exposesAlarmingPort(ssh, noSsh)).toBe(true);
    expect(alarmingPorts(noSsh)).toEqual([22, 3389]);
  });
});

describe("security group rule identity", () => {
  it("compares protocols by name or number, CIDRs as ranges, and ignores the ports of all-protocol rules", () => {
    expect(
      sameRuleShape(
        { ipProtocol: "6", fromPort: 22, toPort: 22, cidrIpv6: "0::0/0" },
        { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv6: "::/0" },
      ),
    ).toBe(true);
    expect(
      sameRuleShape(
        { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" },
        { ipProtocol: "all", fromPort: -1, toPort: -1, cidrIpv4: "0.0.0.0/0" },
      ),
    ).toBe(true);
    expect(
      sameRuleShape(
        { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" },
        { ipProtocol: "tcp", fromPort: 22, toPort: 23, cidrIpv4: "0.0.0.0/0" },
      ),
    ).toBe(false);
    expect(ruleSignature({ ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "1.2.3.4/0" })).toBe(
      "tcp|22|22|0.0.0.0/0|",
    );
    expect(ruleSignature({ ipProtocol: "6", fromPort: 22, toPort: 22, cidrIpv6: "0::0/0" })).toBe("tcp|22|22||::/0");
  });

  it("names protocols and describes rules in words", () => {
    expect(normalizeProtocol(undefined)).toBe("-1");
    expect(normalizeProtocol(6)).toBe("tcp");
    expect(describeRule({ ipProtocol: "tcp", fromPort: 1000, toPort: 2000, cidrIpv6: "::/0" })).toBe(
      "tcp 1000-2000 from ::/0",
    );
    expect(describePorts({ ipProtocol: "17", fromPort: 53, toPort: 53 })).toBe("udp/53");
    expect(describePorts({ ipProtocol: "tcp", fromPort: -1, toPort: -1 })).toBe("tcp/all ports");
    expect(describePorts({ ipProtocol: "-1" })).toBe("all traffic");
  });
});
