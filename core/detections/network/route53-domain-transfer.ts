import { declareDetection, request, response } from "../declare.js";
import { identityFacts, isObject, type Json, principalOf, quote, str } from "../record.js";

/**
 * Route 53 domain registration calls. EventBridge delivers them as `aws.route53domains` with
 * eventSource `route53domains.amazonaws.com`, the API is served from us-east-1 only, and the Route
 * 53 guide notes that CloudTrail writes these event names with a lowercase first letter
 * (`updateDomainContact`) and shows `domainName` as `{"name": ...}`. Both spellings and both shapes
 * are read. Several public rule sets expect these calls under `route53.amazonaws.com`; that
 * source is watched as well, so either attribution is caught.
 */
const LOCK_DISABLED = "DisableDomainTransferLock";
const TRANSFERRED = "TransferDomainToAnotherAwsAccount";
const NAMES = [LOCK_DISABLED, TRANSFERRED].flatMap((name) => [name, name[0]!.toLowerCase() + name.slice(1)]);

function domainNameOf(record: Json): string {
  const logged = request(record, "domainName");
  if (isObject(logged)) return str(logged.name);
  return str(logged);
}

export const route53DomainTransfer = declareDetection({
  id: "route53-domain-transfer",
  title: "Route 53 domain unlocked or transferred to another account",
  category: "network",
  severity: "high",
  attack: { id: "T1584.001", name: "Compromise Infrastructure: Domains" },
  asff: ["Software and Configuration Checks/AWS Security Best Practices", "Effects/Denial of Service"],
  description:
    "route53domains:DisableDomainTransferLock (the domain can now be moved to another registrar) or TransferDomainToAnotherAwsAccount (a transfer to another AWS account was started) succeeded.",
  why: "Whoever holds a domain controls its DNS, mail and certificates: an attacker who unlocks or transfers it can hijack the company's websites and e-mail, and winning a domain back from another registrar or account takes days.",
  tuning:
    "Transfers are rare and planned; acknowledge the finding when one is. Both calls are always reported: the lock is the domain's only guard against a transfer out.",
  response: { mode: "auto", action: "route53-domain-relock" },
  calls: [
    { source: "aws.route53domains", names: NAMES },
    { source: "aws.route53", names: NAMES },
  ],
  match: (record) => {
    const eventName = str(record.eventName);
    const transfer = eventName.toLowerCase() === TRANSFERRED.toLowerCase();
    const domainName = domainNameOf(record);
    const targetAccount = transfer ? str(request(record, "accountId")) : "";
    const operationId = str(response(record, "operationId"));
    const action = transfer
      ? `started transferring domain ${quote(domainName || "unknown", 253)} to AWS account ${quote(targetAccount || "unknown", 20)}`
      : `disabled the transfer lock of domain ${quote(domainName || "unknown", 253)}`;
    return {
      resource: domainName || "route53-domain",
      summary: `${quote(principalOf(record))} ${action}`,
      facts: {
        ...identityFacts(record),
        eventName,
        domainName,
        ...(targetAccount ? { targetAccountId: targetAccount } : {}),
        ...(operationId ? { operationId } : {}),
      },
    };
  },
});
