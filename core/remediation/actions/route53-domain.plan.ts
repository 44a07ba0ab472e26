import { awsCall } from "../aws/calls.js";
import { ROUTE53_DOMAINS_REGION } from "../aws/global-services.js";
import type { ActionPlanner } from "../types.js";
import { eventNameOf, notApplicable, ok, quoted } from "./facts.js";

/**
 * `route53-domain-relock`: undo route53-domain-transfer. After TransferDomainToAnotherAwsAccount:
 * CancelDomainTransferToAnotherAwsAccount while the other account has not accepted, then
 * EnableDomainTransferLock; after DisableDomainTransferLock: EnableDomainTransferLock. Route 53
 * Domains is served from us-east-1 only, whatever region the incident names. CloudTrail writes
 * these event names with a lowercase first letter too: both spellings are read.
 *
 * Automatic, not destructive: the lock and the cancel change nothing the domain serves (DNS, mail
 * and certificates are untouched); a planned transfer is started again, after the finding is
 * acknowledged, and a new one gets a new password. Waiting for approval instead risks the other
 * account accepting first: a transfer accepted cannot be cancelled, and winning a domain back
 * takes days.
 */

export interface DomainTarget {
  domainName: string;
  /** The event started a transfer to another AWS account (else it disabled the lock). */
  transfer: boolean;
}

export interface DomainState {
  /** StatusList contains clientTransferProhibited. */
  locked: boolean;
  /** A transfer of the domain to another AWS account is waiting (submitted or in progress). */
  pendingTransfer: boolean;
}

/** The EPP status of a locked domain. */
export const TRANSFER_LOCK_STATUS = "clientTransferProhibited";
const LOCK_DISABLED = "disabledomaintransferlock";
const TRANSFERRED = "transferdomaintoanotherawsaccount";
/** A registrable domain name (IDNs in their xn-- form), as Route 53 Domains takes it. */
const DOMAIN = /^(?=.{1,255}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export const relockDomainPlanner: ActionPlanner<DomainTarget, DomainState> = {
  id: "route53-domain-relock",
  description:
    "Cancel the domain's pending transfer to another AWS account (CancelDomainTransferToAnotherAwsAccount) and lock it against transfers again (EnableDomainTransferLock).",
  permissions: [
    "route53domains:GetDomainDetail",
    "route53domains:ListTagsForDomain",
    "route53domains:ListOperations",
    "route53domains:CancelDomainTransferToAnotherAwsAccount",
    "route53domains:EnableDomainTransferLock",
  ],
  destructive: false,
  resolve(incident) {
    const eventName = eventNameOf(incident.facts);
    const event = eventName?.toLowerCase();
    if (event !== LOCK_DISABLED && event !== TRANSFERRED) {
      return notApplicable(
        `EnableDomainTransferLock does not undo ${eventName === undefined ? "an unnamed event" : quoted(eventName)}: review it by hand`,
      );
    }
    const { domainName } = incident.facts;
    if (typeof domainName !== "string" || !DOMAIN.test(domainName)) {
      return notApplicable("the incident's facts name no valid domain");
    }
    return ok({ domainName, transfer: event === TRANSFERRED });
  },
  label: (target) => `domain ${target.domainName}`,
  describe: ({ target }) =>
    target.transfer
      ? `Cancel the transfer of domain ${target.domainName} to another AWS account, if it is not accepted yet, and lock the domain against transfers again. Undo: TransferDomainToAnotherAwsAccount (a new password) and DisableDomainTransferLock.`
      : `Lock domain ${target.domainName} against transfers again. Undo: DisableDomainTransferLock.`,
  assume: ({ target }) => ({ locked: false, pendingTransfer: target.transfer }),
  plan({ target, state }) {
    const where = { DomainName: target.domainName };
    return [
      ...(target.transfer && state.pendingTransfer
        ? [awsCall("route53domains", "CancelDomainTransferToAnotherAwsAccount", where, ROUTE53_DOMAINS_REGION)]
        : []),
      ...(state.locked ? [] : [awsCall("route53domains", "EnableDomainTransferLock", where, ROUTE53_DOMAINS_REGION)]),
    ];
  },
};
