import {
  memberForwardingPattern,
  memberForwardingRolePolicy,
  memberForwardingRuleState,
  memberRolePolicy,
  memberRoleTrustedRoles,
  memberRoleTrustPolicy,
} from "../infra/organization";
import { accessContext, config } from "./config";
import { organizationBus, rules } from "./detection";

// Org-wide mode: what each member account needs, as outputs to apply there (a StackSet or a
// script): a rule forwarding its events to the central bus (in the given state, sending with a
// role allowed the given policy), and the role remediation assumes.
const organization = config.aws.organization;
const partition = aws.getPartitionOutput().partition;
const account = aws.getCallerIdentityOutput().accountId;
const region = aws.getRegionOutput().region;

export const organizationOutputs =
  organization && organizationBus
    ? {
        organizationBusArn: organizationBus.arn,
        memberForwardingPattern: JSON.stringify(memberForwardingPattern(rules)),
        memberForwardingRuleState: memberForwardingRuleState(rules),
        memberForwardingRolePolicy: organizationBus.arn.apply((arn) => JSON.stringify(memberForwardingRolePolicy(arn))),
        ...(organization.memberRole
          ? {
              memberRoleName: organization.memberRole.name,
              memberRolePolicy: partition.apply((p) =>
                JSON.stringify(
                  memberRolePolicy(accessContext.actions, {
                    partition: p,
                    toolRolePrefix: config.protection.toolRolePrefix,
                    protectionTag: config.protection.tag,
                  }),
                ),
              ),
              memberRoleTrustPolicy: $util.all([partition, account, region]).apply(([p, id, r]) =>
                JSON.stringify(
                  memberRoleTrustPolicy(
                    memberRoleTrustedRoles({
                      partition: p,
                      account: id,
                      region: r,
                      stage: $app.stage,
                      toolRolePrefix: config.protection.toolRolePrefix,
                    }),
                    organization.memberRole!.externalId,
                  ),
                ),
              ),
            }
          : {}),
      }
    : {};
