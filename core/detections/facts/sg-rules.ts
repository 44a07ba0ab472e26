import type { SgRule } from "../../model/facts.js";
import { parseCidr } from "../../net/ip.js";
import { normalizeProtocol } from "../../risk/sg-rules.js";
import { at, int, isObject, items, type Json, list, str } from "../record.js";

/**
 * Security group rules from every shape CloudTrail records them in:
 * - AuthorizeSecurityGroupIngress/Egress and Revoke…: `requestParameters.ipPermissions.items[]`
 *   (each with `ipRanges`/`ipv6Ranges` items and their descriptions), or the older flat form
 *   (`cidrIp`, `ipProtocol`, `fromPort`, `toPort`); the response's `securityGroupRuleSet` gives the
 *   `sgr-…` ids of created rules;
 * - RevokeSecurityGroupIngress by `securityGroupRuleIds`;
 * - ModifySecurityGroupRules: `requestParameters.ModifySecurityGroupRulesRequest` with one
 *   `SecurityGroupRule` entry or a list of them.
 * Whether a rule is exposed is `core/risk/sg-rules.ts`'s judgement, shared with remediation.
 */

export interface RuleSet {
  /** `sg-…` (or the group name, for calls that name the group instead). */
  groupId: string;
  rules: SgRule[];
  /** Rule ids a revoke named without describing the rules. */
  ruleIds: string[];
}

function groupOf(params: unknown): string {
  return str(at(params, "groupId")) || str(at(params, "groupName"));
}

/** Rules named in an Authorize…/Revoke… request (either form), ingress unless `egress`. */
export function requestedRules(record: Json, egress: boolean): RuleSet {
  const params = record.requestParameters;
  const groupId = groupOf(params);
  const rules: SgRule[] = [];
  for (const permission of items(at(params, "ipPermissions"))) {
    if (!isObject(permission)) continue;
    const base = {
      ipProtocol: normalizeProtocol(permission.ipProtocol),
      fromPort: int(permission.fromPort),
      toPort: int(permission.toPort),
    };
    for (const range of items(permission.ipRanges)) {
      const cidr = str(at(range, "cidrIp"));
      if (cidr) rules.push(rule(base, { cidrIpv4: cidr }, str(at(range, "description")), egress));
    }
    for (const range of items(permission.ipv6Ranges)) {
      const cidr = str(at(range, "cidrIpv6"));
      if (cidr) rules.push(rule(base, { cidrIpv6: cidr }, str(at(range, "description")), egress));
    }
  }
  // The older form: one range in top-level parameters.
  const flatCidr = str(at(params, "cidrIp"));
  if (flatCidr) {
    const base = {
      ipProtocol: normalizeProtocol(at(params, "ipProtocol")),
      fromPort: int(at(params, "fromPort")),
      toPort: int(at(params, "toPort")),
    };
    rules.push(rule(base, { cidrIpv4: flatCidr }, "", egress));
  }
  const ruleIds = items(at(params, "securityGroupRuleIds"))
    .map((entry) => (typeof entry === "string" ? entry : str(at(entry, "securityGroupRuleId"))))
    .filter(Boolean);
  assignRuleIds(rules, items(at(record, "responseElements", "securityGroupRuleSet")));
  return { groupId, rules, ruleIds };
}

function rule(
  base: { ipProtocol: string; fromPort?: number; toPort?: number },
  range: { cidrIpv4?: string; cidrIpv6?: string },
  description: string,
  egress: boolean,
): SgRule {
  const result: SgRule = { ipProtocol: base.ipProtocol, ...range };
  if (base.fromPort !== undefined) result.fromPort = base.fromPort;
  if (base.toPort !== undefined) result.toPort = base.toPort;
  if (description) result.description = description;
  if (egress) result.egress = true;
  return result;
}

/** Give each requested rule the `sgr-…` id of the matching created rule in the response. */
function assignRuleIds(rules: SgRule[], created: unknown[]): void {
  const used = new Set<string>();
  for (const target of rules) {
    for (const entry of created) {
      const id = str(at(entry, "securityGroupRuleId"));
      if (!id || used.has(id)) continue;
      const sameRange =
        (target.cidrIpv4 !== undefined && str(at(entry, "cidrIpv4")) === target.cidrIpv4) ||
        (target.cidrIpv6 !== undefined && str(at(entry, "cidrIpv6")) === target.cidrIpv6);
      const sameProtocol = normalizeProtocol(at(entry, "ipProtocol")) === target.ipProtocol;
      const samePorts =
        target.ipProtocol === "-1" ||
        (int(at(entry, "fromPort")) === target.fromPort && int(at(entry, "toPort")) === target.toPort);
      if (sameRange && sameProtocol && samePorts) {
        target.ruleId = id;
        used.add(id);
        break;
      }
    }
  }
}

/** The rules a ModifySecurityGroupRules call sets (each with its `sgr-…` id). */
export function modifiedRules(record: Json): RuleSet {
  const request = at(record, "requestParameters", "ModifySecurityGroupRulesRequest");
  const groupId = str(at(request, "GroupId"));
  const rules: SgRule[] = [];
  for (const entry of list(at(request, "SecurityGroupRule"))) {
    const spec = at(entry, "SecurityGroupRule");
    if (!isObject(spec)) continue;
    const modified: SgRule = { ipProtocol: normalizeProtocol(spec.IpProtocol) };
    const ruleId = str(at(entry, "SecurityGroupRuleId"));
    if (ruleId) modified.ruleId = ruleId;
    const from = int(spec.FromPort);
    const to = int(spec.ToPort);
    if (from !== undefined) modified.fromPort = from;
    if (to !== undefined) modified.toPort = to;
    if (str(spec.CidrIpv4)) modified.cidrIpv4 = str(spec.CidrIpv4);
    if (str(spec.CidrIpv6)) modified.cidrIpv6 = str(spec.CidrIpv6);
    if (str(spec.Description)) modified.description = str(spec.Description);
    rules.push(modified);
  }
  return { groupId, rules, ruleIds: [] };
}

/** Whether `cidr` lies inside one of `allowed` (an allowed range, or a sub-range of one). */
export function cidrWithin(cidr: string, allowed: readonly string[]): boolean {
  const inner = parseCidr(cidr);
  if (!inner) return false;
  return allowed.some((text) => {
    const outer = parseCidr(text);
    if (!outer || outer.version !== inner.version || outer.prefix > inner.prefix) return false;
    const hostBits = BigInt((outer.version === 4 ? 32 : 128) - outer.prefix);
    return inner.network >> hostBits === outer.network >> hostBits;
  });
}

/** Words in a description that mark a rule temporary ("temp", "debug", "delete me"…), as whole words. */
export function temporaryKeyword(description: string, keywords: readonly string[]): string | undefined {
  const words = tokenize(description);
  for (const keyword of keywords) {
    const phrase = tokenize(keyword);
    if (phrase.length === 0) continue;
    for (let i = 0; i + phrase.length <= words.length; i++) {
      if (phrase.every((word, j) => words[i + j] === word)) return keyword;
    }
  }
  return undefined;
}

function tokenize(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}
