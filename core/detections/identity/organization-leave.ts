import { declareDetection } from "../declare.js";
import { accountOf, identityFacts, principalOf, quote } from "../record.js";

export const organizationLeave = declareDetection({
  id: "organization-leave",
  title: "Account left its AWS organization",
  category: "identity",
  severity: "critical",
  attack: { id: "T1562", name: "Impair Defenses" },
  asff: ["TTPs/Defense Evasion"],
  description: "A member account called organizations:LeaveOrganization successfully: it is now a standalone account.",
  why: "Leaving the organization drops every service control policy, the organization trail, delegated GuardDuty and Security Hub administration and consolidated billing: an attacker who holds the account gets out from under all central guardrails in one call.",
  tuning:
    "Accounts are rarely moved between organizations; acknowledge a planned move. There is no undo an automated response could make (rejoining needs an invitation from the management account), so the response is notify.",
  response: { mode: "notify" },
  calls: [{ source: "aws.organizations", names: ["LeaveOrganization"] }],
  match: (record) => {
    const account = accountOf(record);
    return {
      resource: account ? `arn:aws:organizations::${account}:account` : "organization",
      summary: `${quote(principalOf(record))} took account ${quote(account || "unknown", 20)} out of its AWS organization`,
      facts: { ...identityFacts(record), account },
    };
  },
});
