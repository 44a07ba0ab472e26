import { declareFirstSeen } from "../correlate.js";
import { identityFacts, principalOf, quote, str } from "../record.js";
import { consoleLogins, principalKey, signInBaseline, signInBaselineKey } from "./principal-state.js";

export const consoleLoginNewIp = declareFirstSeen({
  id: "console-login-new-ip",
  title: "Console sign-in from a new IP address",
  category: "identity",
  severity: "medium",
  attack: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  asff: ["TTPs/Initial Access", "Unusual Behaviors/User"],
  description:
    "A successful console sign-in from an IP address never seen for that principal, once the principal has at least one earlier successful sign-in. Known addresses are remembered for `thresholds.baseline.days` (90).",
  why: "Stolen passwords are used from the attacker's network, not the victim's usual ones.",
  tuning:
    "Add office and VPN egress ranges to `trustedCidrs`: they are never new. Roaming users will fire; that is the trade-off.",
  response: { mode: "notify" },
  pattern: () => consoleLogins("Success"),
  group: (record) => principalKey(record),
  stateKey: (group) => signInBaselineKey("ip", group),
  baseline: signInBaseline,
  values: (record, context) => {
    const ip = str(record.sourceIPAddress);
    return ip && context.locate(ip).kind !== "invalid" ? [ip] : [];
  },
  found(record, [ip], context) {
    // A trusted address is learned but never new.
    if (!ip || context.isTrusted(ip)) return undefined;
    const principal = principalOf(record);
    const where = context.locate(ip);
    const place = [where.city, where.countryName ?? where.country].filter(Boolean).join(", ");
    return {
      resource: principal,
      summary: `${quote(principal)} signed in to the console from a new address ${quote(ip, 45)}${place ? ` (${quote(place, 80)})` : ""}`,
      facts: { ...identityFacts(record), newIp: ip, country: where.country, asn: where.asn },
    };
  },
});
