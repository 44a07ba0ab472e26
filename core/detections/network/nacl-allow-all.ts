import { isWorldOpen } from "../../net/ip.js";
import { declareDetection, request } from "../declare.js";
import { identityFacts, int, type Json, principalOf, quote, str } from "../record.js";

/**
 * CloudTrail logs CreateNetworkAclEntry / ReplaceNetworkAclEntry requests flat: `networkAclId`,
 * `ruleNumber` and `egress` as JSON number and boolean, `ruleAction` "allow" / "deny",
 * `aclProtocol` as a string ("-1" for all traffic, "6" for TCP), `cidrBlock` or `ipv6CidrBlock`,
 * with empty `portRange` / `icmpTypeCode` objects. Re-exports may write the number and the
 * boolean as strings; both are read.
 */

const isFalse = (value: unknown) => value === false || (typeof value === "string" && value.trim() === "false");

/** The entry's world-open range (0.0.0.0/0, ::/0 or any /0) and the field naming it. */
function worldRange(record: Json): { key: "cidrBlock" | "ipv6CidrBlock"; range: string } | undefined {
  for (const key of ["cidrBlock", "ipv6CidrBlock"] as const) {
    const range = str(request(record, key));
    if (range && isWorldOpen(range)) return { key, range };
  }
  return undefined;
}

/** All protocols: "-1" as CloudTrail logs it (a number in some re-exports), or the name "all". */
function allProtocols(value: unknown): boolean {
  return int(value) === -1 || (typeof value === "string" && value.trim().toLowerCase() === "all");
}

export const naclAllowAll = declareDetection({
  id: "nacl-allow-all",
  title: "Network ACL allows all inbound traffic from anywhere",
  category: "network",
  severity: "medium",
  attack: { id: "T1562.007", name: "Impair Defenses: Disable or Modify Cloud Firewall" },
  asff: ["Software and Configuration Checks/AWS Security Best Practices/Network Reachability", "TTPs/Defense Evasion"],
  description:
    "ec2:CreateNetworkAclEntry or ReplaceNetworkAclEntry succeeded with an inbound (`egress` false) `allow` entry for all protocols (`aclProtocol` -1) from 0.0.0.0/0 or ::/0.",
  why: "A network ACL is the subnet's stateless firewall: an inbound allow-all entry numbered before the deny entries lets every port and protocol from the internet reach the subnet, leaving security groups as the only barrier.",
  tuning:
    "The default network ACL of a VPC carries such an entry (rule 100) from its creation, which makes no API call; an entry that admits only some ports or protocols, or comes from a narrower range, does not fire. Acknowledge subnets that are deliberately open. The response deletes an entry CreateNetworkAclEntry added; for a ReplaceNetworkAclEntry it restores, after approval, the entry AWS Config recorded before the event (the event does not carry the entry it overwrote), and refuses when Config holds no earlier item of the ACL.",
  response: { mode: "auto", action: "nacl-delete-allow-all-entry" },
  calls: [{ source: "aws.ec2", names: ["CreateNetworkAclEntry", "ReplaceNetworkAclEntry"] }],
  where: () => ({
    requestParameters: {
      $or: [{ cidrBlock: [{ suffix: "/0" }] }, { ipv6CidrBlock: [{ suffix: "/0" }] }],
    },
  }),
  match: (record) => {
    if (!isFalse(request(record, "egress"))) return undefined;
    if (str(request(record, "ruleAction")).trim().toLowerCase() !== "allow") return undefined;
    if (!allProtocols(request(record, "aclProtocol"))) return undefined;
    const world = worldRange(record);
    if (!world) return undefined;
    const networkAclId = str(request(record, "networkAclId"));
    const ruleNumber = int(request(record, "ruleNumber"));
    const eventName = str(record.eventName);
    const verb = eventName === "ReplaceNetworkAclEntry" ? "replaced" : "added";
    return {
      resource: networkAclId || "network-acl",
      summary: `${quote(principalOf(record))} ${verb} inbound entry ${ruleNumber ?? "?"} of network ACL ${quote(networkAclId || "unknown", 64)}: allow all traffic from ${quote(world.range, 50)}`,
      facts: {
        ...identityFacts(record),
        eventName,
        networkAclId,
        ...(ruleNumber === undefined ? {} : { ruleNumber }),
        egress: false,
        ruleAction: "allow",
        aclProtocol: "-1",
        [world.key]: world.range,
      },
    };
  },
});
