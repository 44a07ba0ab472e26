import { roleName } from "../infra/names";
import { serviceTrustPolicy } from "../infra/policy";
import { FORWARDING_DEAD_LETTERS_RETENTION_SECONDS } from "../infra/queues";
import {
  defaultBusArn,
  forwardingDeadLetterPolicy,
  forwardingDelivery,
  forwardingRule,
  globalEventsProblem,
  homeRegionWatchedProblem,
  regionForwardingRolePolicy,
  regionForwardings,
} from "../infra/regions";
import { FORWARD_RULE_ID, ruleName } from "../infra/rules";
import { config } from "./config";
import { rules } from "./detection";

// Other regions (aws.watchRegions): one rule in each forwarding the events the detections need to
// this region's default bus, where the detection rules run on them. Without it a deployment
// outside us-east-1 never sees IAM, STS or console sign-in calls.
const home = aws.getRegionOutput().region;
const account = aws.getCallerIdentityOutput().accountId;
const partition = aws.getPartitionOutput().partition;
const homeBus = $util.all([partition, home, account]).apply(([p, region, id]) => defaultBusArn(p, region, id));

// Outside us-east-1 (its partition's global-events region) without watching it, every identity
// detection would be silently blind: the deploy stops, naming aws.watchRegions. The check sits in
// an output the app returns, so its error always surfaces.
export const forwardedRegions = $util.all([partition, home]).apply(([p, region]) => {
  const problem = globalEventsProblem(config, { partition: p, homeRegion: region }, rules);
  if (problem) throw new Error(problem);
  return regionForwardings(config, region, rules);
});

// The regions are configuration, known before any resource: resources are declared from the list
// the configuration gives, and a region equal to the home one is refused when the plan resolves.
const regions = [...new Set(config.aws.watchRegions)];
if (regions.length > 0 && rules.length > 0) {
  const forwardingRole = new aws.iam.Role("RegionForwardingRole", {
    name: home.apply((r) => roleName(config.protection.toolRolePrefix, $app.stage, r, "RegionForwarding")),
    assumeRolePolicy: account.apply((id) => JSON.stringify(serviceTrustPolicy("events.amazonaws.com", id))),
  });
  new aws.iam.RolePolicy("RegionForwardingPolicy", {
    role: forwardingRole.id,
    policy: homeBus.apply((arn) => JSON.stringify(regionForwardingRolePolicy(arn))),
  });
  const forwarding = forwardingRule(rules);
  for (const region of regions) {
    const name = `Forward${region.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
    const rule = new aws.cloudwatch.EventRule(`${name}Rule`, {
      region,
      name: ruleName($app.stage, FORWARD_RULE_ID),
      description: `Riposte: forward the events its detections need from ${region} to the home region`,
      eventPattern: home.apply((homeRegion) => {
        const problem = homeRegionWatchedProblem(region, homeRegion);
        if (problem) throw new Error(problem);
        return forwarding.pattern;
      }),
      state: forwarding.state,
    });
    // Events the home bus refused are kept in this region (EventBridge wants the rule's region).
    const deadLetters = new aws.sqs.Queue(`${name}DeadLetters`, {
      region,
      messageRetentionSeconds: FORWARDING_DEAD_LETTERS_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
    });
    const deadLettersPolicy = new aws.sqs.QueuePolicy(`${name}DeadLettersPolicy`, {
      region,
      queueUrl: deadLetters.url,
      policy: $util
        .all([deadLetters.arn, rule.arn])
        .apply(([queueArn, ruleArn]) => JSON.stringify(forwardingDeadLetterPolicy(queueArn, ruleArn))),
    });
    new aws.cloudwatch.EventTarget(
      `${name}Target`,
      {
        region,
        rule: rule.name,
        arn: homeBus,
        roleArn: forwardingRole.arn,
        ...forwardingDelivery(deadLetters.arn),
      },
      { dependsOn: [deadLettersPolicy] },
    );
  }
}
