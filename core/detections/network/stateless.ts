import type { EventEnvelope } from "../../model/event.js";
import type { NetworkFacts, SgRule } from "../../model/facts.js";
import {
  alarmingPorts,
  describePorts,
  describeRange,
  exposedPorts,
  exposedRiskyPorts,
  exposesAlarmingPort,
  isWorldOpenRule,
  ruleCoversPort,
} from "../../risk/sg-rules.js";
import { cloudTrailDraft, eventIdOf, eventTimeOf } from "../draft.js";
import { cidrWithin, modifiedRules, requestedRules, temporaryKeyword } from "../facts/sg-rules.js";
import { apiCalls, NO_ERROR } from "../pattern-helpers.js";
import { at, type Json, principalOf, quote, str } from "../record.js";
import type { EventPattern, FindingDraft, StatelessDetection } from "../types.js";

/** Security group detections that need one event each. */

const OPENING_CALLS = ["AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"];
const FIREWALL = { id: "T1562.007", name: "Impair Defenses: Disable or Modify Cloud Firewall" };

/** `requestParameters` conditions: some range of the request is a /0 (any of the recorded shapes). */
function worldOpenRequest(): EventPattern {
  const open = [{ suffix: "/0" }];
  return {
    requestParameters: {
      $or: [
        { ipPermissions: { items: { ipRanges: { items: { cidrIp: open } } } } },
        { ipPermissions: { items: { ipv6Ranges: { items: { cidrIpv6: open } } } } },
        { cidrIp: open },
        { ModifySecurityGroupRulesRequest: { SecurityGroupRule: { SecurityGroupRule: { CidrIpv4: open } } } },
        { ModifySecurityGroupRulesRequest: { SecurityGroupRule: { SecurityGroupRule: { CidrIpv6: open } } } },
      ],
    },
  };
}

/** The ingress rules an opening call adds or sets, with the group. */
export function openingRules(record: Json): { groupId: string; rules: SgRule[] } {
  if (str(record.eventName) === "ModifySecurityGroupRules") return modifiedRules(record);
  return requestedRules(record, false);
}

function networkDraft(
  envelope: EventEnvelope,
  groupId: string,
  rules: SgRule[],
  summary: string,
  extra: Partial<NetworkFacts> = {},
): FindingDraft {
  const facts: NetworkFacts = { groupId, rules, ...extra };
  return cloudTrailDraft(envelope, { resource: groupId, summary, facts });
}

function ruleList(rules: SgRule[]): string {
  return rules.map((rule) => `${describePorts(rule)} from ${describeRange(rule)}`).join(", ");
}

export const sgSshOpenWorld: StatelessDetection = {
  id: "sg-ssh-open-world",
  title: "SSH opened to the world",
  category: "network",
  severity: "high",
  attack: FIREWALL,
  stateful: false,
  description:
    "A security group rule now allows SSH (tcp/22, or a range or protocol covering it) from 0.0.0.0/0 or ::/0, added by AuthorizeSecurityGroupIngress or set by ModifySecurityGroupRules.",
  why: "SSH open to the internet is scanned within minutes and is the most common way EC2 hosts are brute-forced.",
  tuning:
    "Use a bastion, Session Manager, or a restricted CIDR instead. Remediation revokes exactly the offending rule (by its sgr- id when known).",
  response: { mode: "auto", action: "revoke-sg-rules" },
  buildPattern: () => apiCalls("aws.ec2", OPENING_CALLS, { ...NO_ERROR, ...worldOpenRequest() }),
  evaluate(envelope) {
    const record = envelope.detail as Json;
    const { groupId, rules } = openingRules(record);
    const offending = rules.filter((rule) => !rule.egress && isWorldOpenRule(rule) && ruleCoversPort(rule, 22));
    if (offending.length === 0) return undefined;
    return networkDraft(
      envelope,
      groupId,
      offending,
      `${quote(principalOf(record))} opened SSH on ${quote(groupId, 64)} to the world (${ruleList(offending)})`,
      { riskyPorts: [22] },
    );
  },
};

export const sgHighRiskPortOpen: StatelessDetection = {
  id: "sg-high-risk-port-open",
  title: "High-risk port opened to the world",
  category: "network",
  severity: "high",
  attack: FIREWALL,
  stateful: false,
  description:
    "A security group rule now allows a risky port other than SSH — RDP 3389, MySQL 3306, PostgreSQL 5432, or `network.extraRiskyPorts` — from 0.0.0.0/0 or ::/0 (port ranges and all-traffic rules that include one count). SSH has its own detection.",
  why: "Remote desktop and database ports exposed to the internet are brute-forced and exploited constantly.",
  tuning:
    "Add ports your organisation considers risky to `network.extraRiskyPorts`; `network.riskyPorts` replaces the built-in list.",
  response: { mode: "auto", action: "revoke-sg-rules" },
  buildPattern: () => apiCalls("aws.ec2", OPENING_CALLS, { ...NO_ERROR, ...worldOpenRequest() }),
  evaluate(envelope, config) {
    const record = envelope.detail as Json;
    const { groupId, rules } = openingRules(record);
    const ports = new Set<number>();
    const offending = rules.filter((rule) => {
      if (rule.egress || !isWorldOpenRule(rule)) return false;
      const exposed = exposedRiskyPorts(rule, config).filter((port) => port !== 22);
      for (const port of exposed) ports.add(port);
      return exposed.length > 0;
    });
    if (offending.length === 0) return undefined;
    const riskyPorts = [...ports].sort((a, b) => a - b);
    return networkDraft(
      envelope,
      groupId,
      offending,
      `${quote(principalOf(record))} opened port${riskyPorts.length > 1 ? "s" : ""} ${riskyPorts.join(", ")} on ${quote(groupId, 64)} to the world (${ruleList(offending)})`,
      { riskyPorts },
    );
  },
};

export const sgRuleModifiedOpen: StatelessDetection = {
  id: "sg-rule-modified-open",
  title: "Security group rule modified to allow the world",
  category: "network",
  severity: "high",
  attack: FIREWALL,
  stateful: false,
  description:
    "ModifySecurityGroupRules changed an existing ingress rule so that it allows SSH (tcp/22) or a risky port (`network.riskyPorts` and `network.extraRiskyPorts`; ranges and all-traffic rules that include one count) from 0.0.0.0/0 or ::/0.",
  why: "Editing a rule in place is quieter than adding one, and widening an existing rule to the world is rarely intended.",
  tuning:
    "A rule modified to allow only other ports from the world (443 on a web server) does not fire; add ports to `network.extraRiskyPorts` to watch them. The finding lists the risky ports the rule now exposes.",
  response: { mode: "auto", action: "revoke-sg-rules" },
  buildPattern: () => apiCalls("aws.ec2", ["ModifySecurityGroupRules"], { ...NO_ERROR, ...worldOpenRequest() }),
  evaluate(envelope, config) {
    const record = envelope.detail as Json;
    const { groupId, rules } = modifiedRules(record);
    const offending = rules.filter((rule) => exposesAlarmingPort(rule, config));
    if (offending.length === 0) return undefined;
    const riskyPorts = [...new Set(offending.flatMap((rule) => exposedPorts(rule, alarmingPorts(config))))].sort(
      (a, b) => a - b,
    );
    return networkDraft(
      envelope,
      groupId,
      offending,
      `${quote(principalOf(record))} modified ${offending.map((rule) => quote(rule.ruleId ?? "a rule", 32)).join(", ")} on ${quote(groupId, 64)} to allow ${ruleList(offending)}`,
      { riskyPorts },
    );
  },
};

/** Descriptions of rules in an opening call (any shape), for the candidate pattern. */
function describedRequest(): EventPattern {
  const present = [{ exists: true }];
  return {
    requestParameters: {
      $or: [
        { ipPermissions: { items: { ipRanges: { items: { description: present } } } } },
        { ipPermissions: { items: { ipv6Ranges: { items: { description: present } } } } },
        { ModifySecurityGroupRulesRequest: { SecurityGroupRule: { SecurityGroupRule: { Description: present } } } },
      ],
    },
  };
}

export const sgTemporaryRule: StatelessDetection = {
  id: "sg-temporary-rule",
  title: "Temporary security group rule added",
  category: "network",
  severity: "medium",
  attack: FIREWALL,
  stateful: false,
  description:
    "An ingress rule was added or modified with a description that marks it temporary — a whole word or phrase from `network.temporaryKeywords` (temp, tmp, temporary, debug, test, remove, delete me). World-open ones are reported as high.",
  why: '"Temporary" rules are the ones nobody removes: they are how debugging access becomes a permanent hole.',
  tuning: 'Edit `network.temporaryKeywords`; matching is by whole words, so "template" does not match "temp".',
  response: { mode: "auto", action: "revoke-sg-rules" },
  buildPattern: () => apiCalls("aws.ec2", OPENING_CALLS, { ...NO_ERROR, ...describedRequest() }),
  evaluate(envelope, config) {
    const record = envelope.detail as Json;
    const { groupId, rules } = openingRules(record);
    const keywords = new Set<string>();
    const temporary = rules.filter((rule) => {
      const keyword = rule.description
        ? temporaryKeyword(rule.description, config.network.temporaryKeywords)
        : undefined;
      if (keyword) keywords.add(keyword);
      return keyword !== undefined && !rule.egress;
    });
    if (temporary.length === 0) return undefined;
    const worldOpen = temporary.some(isWorldOpenRule);
    const draft = networkDraft(
      envelope,
      groupId,
      temporary,
      `${quote(principalOf(record))} added a rule marked "${[...keywords].join('", "')}" on ${quote(groupId, 64)} (${ruleList(temporary)})`,
      { riskyPorts: [...new Set(temporary.flatMap((rule) => exposedRiskyPorts(rule, config)))] },
    );
    return worldOpen ? { ...draft, severity: "high" } : draft;
  },
};

export const sgSshRestrictedCidr: StatelessDetection = {
  id: "sg-ssh-restricted-cidr",
  title: "SSH allowed from an unapproved range",
  category: "network",
  severity: "low",
  attack: FIREWALL,
  stateful: false,
  description:
    "An ingress rule allows SSH (tcp/22) from a range that is not world-open but is not inside `network.sshAllowedCidrs` either. With no approved ranges configured, every such rule is reported.",
  why: "SSH should come only from known places (a bastion, the VPN); other ranges drift from the policy and widen the attack surface.",
  tuning: "Set `network.sshAllowedCidrs` to your bastion and VPN ranges. World-open SSH is sg-ssh-open-world's job.",
  response: { mode: "approval", action: "revoke-sg-rules" },
  buildPattern: () => apiCalls("aws.ec2", OPENING_CALLS, NO_ERROR),
  evaluate(envelope, config) {
    const record = envelope.detail as Json;
    const { groupId, rules } = openingRules(record);
    const allowed = config.network.sshAllowedCidrs;
    const offending = rules.filter((rule) => {
      if (rule.egress || isWorldOpenRule(rule) || !ruleCoversPort(rule, 22)) return false;
      const range = rule.cidrIpv4 ?? rule.cidrIpv6;
      return range !== undefined && !cidrWithin(range, allowed);
    });
    if (offending.length === 0) return undefined;
    return networkDraft(
      envelope,
      groupId,
      offending,
      `${quote(principalOf(record))} allowed SSH on ${quote(groupId, 64)} from ${offending.map(describeRange).join(", ")}, outside the approved SSH ranges`,
      { riskyPorts: [22] },
    );
  },
};

export const configSgOpenToWorld: StatelessDetection = {
  id: "config-sg-open-to-world",
  title: "AWS Config: security group non-compliant",
  category: "network",
  severity: "high",
  attack: FIREWALL,
  stateful: false,
  loopPrevention: "not-applicable",
  description:
    "An AWS Config rule about world-open ingress turned a security group NON_COMPLIANT: a rule whose name starts with one of `network.worldOpenConfigRules` (restricted-ssh, restricted-common-ports, vpc-sg-open-only-to-authorized-ports, vpc-sg-port-restriction-check, and Security Hub's securityhub-restricted-ssh-…, securityhub-restricted-rdp-…, securityhub-vpc-sg-open-only-to-authorized-ports-…, securityhub-vpc-sg-restricted-common-ports-…). Other Config rules about security groups (ec2-security-group-attached-to-eni…) do not fire.",
  why: "Config catches exposure however it happened — console, CloudFormation, a change made before Riposte was watching.",
  tuning:
    "Add the names (or name prefixes) of your own Config rules about world-open ingress to `network.worldOpenConfigRules`; the deployed EventBridge rule selects only these. The event does not name the offending rules: remediation describes the group and revokes its world-open rules on risky ports. (No principal in the event: loop prevention does not apply.)",
  response: { mode: "auto", action: "revoke-sg-rules" },
  buildPattern: (config) => ({
    source: ["aws.config"],
    "detail-type": ["Config Rules Compliance Change"],
    detail: {
      messageType: ["ComplianceChangeNotification"],
      resourceType: ["AWS::EC2::SecurityGroup"],
      configRuleName: config.network.worldOpenConfigRules.map((prefix) => ({ prefix })),
      newEvaluationResult: { complianceType: ["NON_COMPLIANT"] },
    },
  }),
  evaluate(envelope, config) {
    const detail = envelope.detail as Json;
    const groupId = str(detail.resourceId);
    const rule = str(detail.configRuleName);
    // The pattern selects these already; checked again for callers that hand over any event.
    if (!groupId || !config.network.worldOpenConfigRules.some((prefix) => rule.startsWith(prefix))) return undefined;
    return {
      time: eventTimeOf(envelope),
      eventIds: [eventIdOf(envelope)],
      account: str(detail.awsAccountId) || envelope.account,
      region: str(detail.awsRegion) || envelope.region,
      principal: "",
      resource: groupId,
      summary: `AWS Config rule ${quote(rule, 100)} found ${quote(groupId, 64)} non-compliant`,
      facts: {
        groupId,
        rules: [],
        configRuleName: rule,
        annotation: str(at(detail, "newEvaluationResult", "annotation")) || undefined,
        describeRules: true,
      } satisfies NetworkFacts,
      evidence: [detail],
    };
  },
};

export const NETWORK_STATELESS: readonly StatelessDetection[] = [
  sgSshOpenWorld,
  sgHighRiskPortOpen,
  sgRuleModifiedOpen,
  sgTemporaryRule,
  sgSshRestrictedCidr,
  configSgOpenToWorld,
];
