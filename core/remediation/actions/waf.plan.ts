import { cidrContains, parseCidr, parseIp } from "../../net/ip.js";
import { awsCall, liveValue } from "../aws/calls.js";
import { CannotPlan } from "../errors.js";
import type { ActionPlanner } from "../types.js";
import { type BlockedAddress, resolveBlockedAddress } from "./block-ip.js";
import { notApplicable } from "./facts.js";

/**
 * `waf-block-ip`: add the scanner's address (/32 or /128) to the configured WAF IP set. WAF
 * updates replace the whole set and are guarded by a lock token: the plan carries every current
 * address plus the new one, the description unchanged, and the token from the read; a stale token
 * (WAFOptimisticLockException) makes the runner read and plan again.
 */

export interface WafTarget extends BlockedAddress {
  name: string;
  id: string;
  scope: "REGIONAL" | "CLOUDFRONT";
  region: string;
}

export interface WafState {
  /** Undefined when not read live. */
  addresses?: string[];
  lockToken?: string;
  description?: string;
  ipVersion?: string;
}

/** WAF allows at most this many addresses in one IP set. */
export const WAF_IP_SET_LIMIT = 10_000;

/** Whether `ip` is already covered by one of the set's CIDRs. */
export function coveredBy(addresses: readonly string[], ip: string): boolean {
  const parsed = parseIp(ip);
  if (!parsed) return false;
  return addresses.some((text) => {
    const cidr = parseCidr(text);
    return cidr !== undefined && cidrContains(cidr, parsed);
  });
}

export const wafBlockIpPlanner: ActionPlanner<WafTarget, WafState> = {
  id: "waf-block-ip",
  description: "Add the client address to the configured WAF IP set (which a blocking rule references).",
  permissions: ["wafv2:GetIPSet", "wafv2:UpdateIPSet"],
  destructive: false,
  resolve(incident, config) {
    const ipSet = config.remediation.wafIpSet;
    if (!ipSet) return notApplicable("no WAF IP set is configured (remediation.wafIpSet)");
    const address = resolveBlockedAddress(incident, config);
    if (!address.ok) return address;
    // CloudFront-scoped WAF resources live in us-east-1.
    const region = ipSet.region ?? (ipSet.scope === "CLOUDFRONT" ? "us-east-1" : incident.region);
    return { ok: true, target: { ...address.target, name: ipSet.name, id: ipSet.id, scope: ipSet.scope, region } };
  },
  label: (target) => `${target.cidr} in WAF IP set ${target.name}`,
  describe: ({ target }) =>
    `Add ${target.cidr} to WAF IP set ${target.name} (${target.scope}, ${target.region}), keeping its other addresses.`,
  assume: () => ({}),
  plan({ target, state }) {
    if (state.addresses && coveredBy(state.addresses, target.ip)) return [];
    if (state.addresses && state.addresses.length >= WAF_IP_SET_LIMIT) {
      throw new CannotPlan(`WAF IP set ${target.name} is full (${WAF_IP_SET_LIMIT} addresses)`);
    }
    if (state.ipVersion && state.ipVersion !== `IPV${target.version}`) {
      throw new CannotPlan(
        `WAF IP set ${target.name} holds ${state.ipVersion} addresses; ${target.ip} is IPv${target.version}`,
      );
    }
    const where = { Name: target.name, Scope: target.scope, Id: target.id };
    return [
      awsCall(
        "wafv2",
        "UpdateIPSet",
        {
          ...where,
          Addresses: state.addresses
            ? [...state.addresses, target.cidr]
            : liveValue(`GetIPSet.IPSet.Addresses + ${target.cidr}`),
          LockToken: state.lockToken ?? liveValue("GetIPSet.LockToken"),
          ...(state.description ? { Description: state.description } : {}),
        },
        target.region,
      ),
    ];
  },
};
