import type { LiveContext, RemediationAction, Snapshot } from "../types.js";
import { check, sendAll, unlessAbsent } from "./live.js";
import { enableSecurityHubPlanner, type SecurityHubState, type SecurityHubTarget } from "./securityhub.plan.js";

/**
 * `securityhub-enable`, live. Security Hub answers every call of an account it is disabled in
 * with InvalidAccessException ("not subscribed"): the hub is then read as disabled, with no
 * standards and no tags (they went with it). Enabled, with standards to enable, the hub's tags
 * and its standards subscriptions (every page) are read; with none, there is nothing to change.
 */

const NOT_SUBSCRIPTION = ["InvalidAccessException"];
/** Standards subscription statuses that count as subscribed (not DELETING or FAILED). */
const SUBSCRIBED = new Set(["READY", "PENDING", "INCOMPLETE"]);
/** Statuses verification accepts: enabled, or being enabled. */
const ENABLED = new Set(["READY", "PENDING"]);

interface Read {
  state: SecurityHubState;
  tags: Record<string, string>;
  statuses: Map<string, string>;
}

async function read(ctx: LiveContext<SecurityHubTarget>): Promise<Read> {
  const { region, hubArn } = ctx.target;
  const hub = await unlessAbsent(
    () => ctx.aws.send("securityhub", "DescribeHub", {}, region),
    NOT_SUBSCRIPTION,
    undefined,
  );
  if (!hub) return { state: { hubEnabled: false, enabledStandards: [] }, tags: {}, statuses: new Map() };
  // An enabled hub and no standards to enable: nothing would change, so nothing more is read.
  if (ctx.target.standardsArns.length === 0) {
    return { state: { hubEnabled: true, enabledStandards: [] }, tags: {}, statuses: new Map() };
  }
  const tags = (await ctx.aws.send("securityhub", "ListTagsForResource", { ResourceArn: hub.HubArn ?? hubArn }, region))
    .Tags;
  const statuses = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await ctx.aws.send(
      "securityhub",
      "GetEnabledStandards",
      { MaxResults: 100, ...(token ? { NextToken: token } : {}) },
      region,
    );
    for (const subscription of page.StandardsSubscriptions ?? []) {
      if (subscription.StandardsArn) statuses.set(subscription.StandardsArn, subscription.StandardsStatus ?? "unknown");
    }
    token = page.NextToken || undefined;
  } while (token);
  const enabledStandards = [...statuses].filter(([, status]) => SUBSCRIBED.has(status)).map(([arn]) => arn);
  return { state: { hubEnabled: true, enabledStandards }, tags: { ...tags }, statuses };
}

async function snapshot(ctx: LiveContext<SecurityHubTarget>): Promise<Snapshot<SecurityHubState>> {
  const { state, tags } = await read(ctx);
  return { state, tags: [tags] };
}

export const enableSecurityHub: RemediationAction<SecurityHubTarget, SecurityHubState> = {
  ...enableSecurityHubPlanner,
  errors: {},
  snapshot,
  apply: sendAll,
  async verify(ctx) {
    const { state, statuses } = await read(ctx);
    return [
      check(`Security Hub enabled in ${ctx.target.region}`, state.hubEnabled),
      ...ctx.target.standardsArns.map((arn) => {
        const status = statuses.get(arn);
        return check(
          `standard ${arn} enabled`,
          status !== undefined && ENABLED.has(status),
          status ?? "not subscribed",
        );
      }),
    ];
  },
};
