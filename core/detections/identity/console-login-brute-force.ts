import { declareThreshold } from "../correlate.js";
import { identityFacts, principalOf, quote, str } from "../record.js";
import { consoleLogins, principalKey } from "./principal-state.js";

export const consoleLoginBruteForce = declareThreshold({
  id: "console-login-brute-force",
  title: "Console sign-in brute force",
  category: "identity",
  severity: "high",
  attack: { id: "T1110.001", name: "Brute Force: Password Guessing" },
  asff: ["TTPs/Credential Access"],
  description:
    "At least `thresholds.bruteForce.failures` (3) failed console sign-ins for one principal within `thresholds.bruteForce.windowMinutes` (10) minutes. Each finding consumes the failures it counted.",
  why: "Repeated failures against one identity are password guessing; a success right after is a likely compromise.",
  tuning:
    "Raise the failure count or shorten the window for noisy users. Remediation denies the user for `remediation.denyPolicyMinutes` with a policy that expires by itself.",
  response: { mode: "auto", action: "iam-deny-temporarily" },
  pattern: () => consoleLogins("Failure"),
  group: (record) => principalKey(record),
  stateKey: (group) => `bruteforce|${group}`,
  threshold: (config) => ({
    count: config.thresholds.bruteForce.failures,
    windowMinutes: config.thresholds.bruteForce.windowMinutes,
  }),
  // Each finding consumes its failures; the next `failures` ones fire again.
  rearm: "count",
  note: (record) => str(record.sourceIPAddress),
  found(record, counted, context) {
    const principal = principalOf(record);
    const ips = [...new Set(counted.map((entry) => entry.note).filter(Boolean))];
    return {
      resource: principal,
      summary: `${counted.length} failed console sign-ins for ${quote(principal)} within ${context.config.thresholds.bruteForce.windowMinutes} minutes from ${ips.map((ip) => quote(ip, 45)).join(", ") || "unknown addresses"}`,
      facts: {
        ...identityFacts(record),
        failures: counted.map((entry) => ({ id: entry.id, at: entry.at, ip: entry.note })),
        sourceIps: ips,
      },
    };
  },
});
