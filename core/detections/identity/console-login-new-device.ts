import { declareFirstSeen } from "../correlate.js";
import { identityFacts, principalOf, quote, str } from "../record.js";
import { consoleLogins, principalKey, signInBaseline, signInBaselineKey } from "./principal-state.js";

export const consoleLoginNewDevice = declareFirstSeen({
  id: "console-login-new-device",
  title: "Console sign-in from a new device",
  category: "identity",
  severity: "low",
  attack: { id: "T1078.004", name: "Valid Accounts: Cloud Accounts" },
  asff: ["TTPs/Initial Access", "Unusual Behaviors/User"],
  description:
    "A successful console sign-in with a user agent never seen for that principal, once the principal has at least one earlier successful sign-in.",
  why: "A new browser or operating system, together with other signals (new IP, odd hours), points at someone else using the account.",
  tuning:
    "Browser updates change the user agent and fire too: low severity, notify only. Turn it off if it is noise for you.",
  response: { mode: "notify" },
  pattern: () => consoleLogins("Success"),
  group: (record) => principalKey(record),
  stateKey: (group) => signInBaselineKey("device", group),
  baseline: signInBaseline,
  values: (record) => {
    const agent = str(record.userAgent).trim();
    return agent ? [agent] : [];
  },
  found(record, [agent]) {
    if (!agent) return undefined;
    const principal = principalOf(record);
    return {
      resource: principal,
      summary: `${quote(principal)} signed in to the console from a new device (${quote(agent, 120)})`,
      facts: { ...identityFacts(record), newUserAgent: agent },
    };
  },
});
