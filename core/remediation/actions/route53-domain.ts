import { ROUTE53_DOMAINS_REGION } from "../aws/global-services.js";
import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, goneOr, sendAll, tagMap } from "./live.js";
import {
  type DomainState,
  type DomainTarget,
  relockDomainPlanner,
  TRANSFER_LOCK_STATUS,
} from "./route53-domain.plan.js";

/**
 * `route53-domain-relock`, live (us-east-1, where Route 53 Domains is served). The domain's
 * status and tags; for a transfer, whether one to another AWS account is still waiting
 * (ListOperations, every page). Route 53 Domains answers a domain the account does not hold with
 * InvalidInput: the domain is then gone, and verification fails it (a transfer accepted).
 */

const NOT_HELD = ["InvalidInput"];
const TRANSFER_OUT = "INTERNAL_TRANSFER_OUT_DOMAIN";

async function pendingTransfer(ctx: LiveContext<DomainTarget>): Promise<boolean> {
  const domain = ctx.target.domainName.toLowerCase();
  let marker: string | undefined;
  do {
    const page = await ctx.aws.send(
      "route53domains",
      "ListOperations",
      {
        Type: [TRANSFER_OUT],
        Status: ["SUBMITTED", "IN_PROGRESS"],
        MaxItems: 100,
        ...(marker ? { Marker: marker } : {}),
      },
      ROUTE53_DOMAINS_REGION,
    );
    if ((page.Operations ?? []).some((operation) => operation.DomainName?.toLowerCase() === domain)) return true;
    marker = page.NextPageMarker || undefined;
  } while (marker);
  return false;
}

async function snapshot(ctx: LiveContext<DomainTarget>): Promise<Snapshot<DomainState>> {
  const { domainName, transfer } = ctx.target;
  return goneOr(NOT_HELD, `domain ${domainName} is no longer registered in this account`, async () => {
    const detail = await ctx.aws.send(
      "route53domains",
      "GetDomainDetail",
      { DomainName: domainName },
      ROUTE53_DOMAINS_REGION,
    );
    const tags = await ctx.aws.send(
      "route53domains",
      "ListTagsForDomain",
      { DomainName: domainName },
      ROUTE53_DOMAINS_REGION,
    );
    return {
      state: {
        locked: (detail.StatusList ?? []).includes(TRANSFER_LOCK_STATUS),
        pendingTransfer: transfer ? await pendingTransfer(ctx) : false,
      },
      tags: [tagMap(tags.TagList)],
    };
  });
}

export const relockDomain: RemediationAction<DomainTarget, DomainState> = {
  ...relockDomainPlanner,
  errors: {},
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const read = await snapshot(ctx);
    if ("gone" in read) return [check("domain still in this account", false, read.gone)];
    return [
      check(
        `domain ${ctx.target.domainName} locked (${TRANSFER_LOCK_STATUS})`,
        read.state.locked,
        read.state.locked ? undefined : `StatusList lacks ${TRANSFER_LOCK_STATUS}`,
      ),
      ...(ctx.target.transfer
        ? [check("no transfer to another AWS account pending", !read.state.pendingTransfer)]
        : []),
    ];
  },
};
