import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import type { ConfigInput } from "../../core/config/schema.js";
import { policyFor } from "../../core/remediation/permissions.js";
import { iamWritesOf } from "../../infra/access.js";
import { accessContextOf } from "../../infra/config.js";
import { accessFor, FUNCTION_SPECS } from "../../infra/functions.js";
import { deploymentPlan, functionPolicies } from "../../infra/plan.js";
import { type GeneratedNames, plannedResourceArns } from "../../infra/plan-arns.js";
import { invokedFunctions } from "../../infra/workflows.js";
import { actionsIn, decide, unknownActions, wildcardOnlyActionsOnArns } from "./simulate.js";

/**
 * Least privilege, proven with the IAM policy simulator over the policies a deployment generates
 * (the ones `riposte deploy plan` prints): every action exists in AWS's catalog, consequential
 * actions are denied, remediation cannot touch Riposte's own identities, and a member account's
 * role can be assumed only by Riposte's roles with the external id. The SDK calls each function
 * really sends are simulated in sdk-permissions.test.ts, where they are recorded.
 */

const ACCOUNT = "123456789012";
const MEMBER = "111122223333";
const ORGANIZATION = "o-a1b2c3d4e5";
const EXTERNAL_ID = "riposte-external-id-1";
const place = { partition: "aws", region: "us-east-1", account: ACCOUNT, stage: "test" };
const names: GeneratedNames = {
  table: "riposte-test-IncidentTable",
  tableStreamLabel: "2026-01-01T00:00:00.000",
  alertsTopic: "riposte-test-Alerts",
  alertsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
  candidatesQueue: "riposte-test-Candidates",
  slackFollowUpsQueue: "riposte-test-SlackFollowUps",
  realtimeApiId: "a1b2c3d4e5",
  functionName: (fn) => `riposte-test-${FUNCTION_SPECS[fn].logicalName}`,
};

const CONTEXTS: Record<string, ConfigInput> = {
  default: {},
  live: { remediation: { mode: "live" } },
  "live, WAF IP set": {
    remediation: { mode: "live", wafIpSet: { name: "scanners", id: "a1b2c3d4", scope: "REGIONAL" } },
  },
  "live, network ACL": { remediation: { mode: "live", networkAcl: { id: "acl-0123456789abcdef0" } } },
  "org member role, encrypted alerts, watched regions": {
    remediation: { mode: "live" },
    aws: {
      encryptAlerts: true,
      watchRegions: ["eu-west-1"],
      organization: { id: ORGANIZATION, memberRole: { name: "riposte-member-remediation", externalId: EXTERNAL_ID } },
    },
  },
};

/** Every policy document a deployment of `input` creates or prints for member accounts. */
function everyPolicy(input: ConfigInput) {
  const plan = deploymentPlan({ config: parseConfig(input), source: "test" }, place, names);
  return [
    ...plan.functions.map((fn) => fn.role.policy),
    ...plan.serviceRoles.flatMap((role) => [role.policy, role.trustPolicy]),
    ...plan.queues.flatMap((queue) => (queue.policy ? [queue.policy] : [])),
    ...(plan.organization
      ? [
          plan.organization.busPolicy,
          plan.organization.memberForwarding.rolePolicy,
          ...(plan.organization.memberRole
            ? [plan.organization.memberRole.policy, plan.organization.memberRole.trustPolicy]
            : []),
        ]
      : []),
  ].filter((policy) => policy !== undefined);
}

const roleArn = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const policiesOf = (input: ConfigInput) =>
  functionPolicies(parseConfig(input), place, plannedResourceArns(parseConfig(input), place, names));
const policyOf = (input: ConfigInput, fn: string) => {
  const found = policiesOf(input).find((entry) => entry.fn === fn);
  if (!found) throw new Error(`${fn} is not deployed`);
  return found;
};

describe("every generated policy names only actions AWS knows", () => {
  it.each(Object.keys(CONTEXTS))("%s", async (context) => {
    const policies = everyPolicy(CONTEXTS[context]!);

    expect(policies.length).toBeGreaterThan(10);
    expect(await unknownActions(policies)).toEqual([]);
  });

  it("every remediation action's declared permissions, granted or not yet", async () => {
    // Actions no enabled detection answers with are in no deployed policy: checked here all the same.
    expect(await unknownActions([policyFor()])).toEqual([]);
  });

  it("reports an action with a typo (a copy of the Remediate policy, one action misspelt)", async () => {
    const { policy } = policyOf(CONTEXTS.live!, "remediate");
    const typo = structuredClone(policy);
    const remediate = typo.Statement.find((s) => s.Sid === "Remediate")!;
    remediate.Action = remediate.Action.map((a) =>
      a === "ec2:RevokeSecurityGroupIngress" ? "ec2:RevokeSecurityGroupIngres" : a,
    );

    expect(await unknownActions([typo])).toEqual(["ec2:RevokeSecurityGroupIngres"]);
  });
});

describe("every statement naming ARNs can match", () => {
  // IAM authorises an action without a resource type on `*` only: a statement naming ARNs for it
  // never applies, and the call is denied in AWS however right the action's name.
  it.each(Object.keys(CONTEXTS))("%s", async (context) => {
    expect(await wildcardOnlyActionsOnArns(everyPolicy(CONTEXTS[context]!))).toEqual([]);
  });

  it("reports states:SendTaskSuccess scoped to a state machine", async () => {
    const scoped = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "A",
          Effect: "Allow",
          Action: ["states:SendTaskSuccess"],
          Resource: ["arn:aws:states:us-east-1:123456789012:stateMachine:x"],
        },
      ],
    };

    expect(await wildcardOnlyActionsOnArns([scoped])).toEqual(["A: states:SendTaskSuccess"]);
  });
});

describe("the service roles", () => {
  const plan = deploymentPlan({ config: parseConfig(CONTEXTS.live!), source: "test" }, place, names);
  const role = (purpose: string) => plan.serviceRoles.find((r) => r.name.endsWith(`-${purpose}`))!;

  it("let Step Functions invoke every function each workflow's ASL calls, and no other action", async () => {
    const workflows = role("Workflows");
    for (const machine of plan.stateMachines) {
      for (const arn of invokedFunctions(machine.definition as never)) {
        const decision = await decide(
          {
            principal: roleArn(workflows.name),
            action: "lambda:InvokeFunction",
            resource: arn,
            resourceAccount: ACCOUNT,
          },
          [workflows.policy],
        );
        expect(decision, `${machine.name} → ${arn}`).toBe("Allowed");
      }
    }
    const api = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${names.functionName("api")}`;
    expect(
      await decide(
        {
          principal: roleArn(workflows.name),
          action: "lambda:InvokeFunction",
          resource: api,
          resourceAccount: ACCOUNT,
        },
        [workflows.policy],
      ),
    ).toBe("ImplicitlyDenied");
    expect(actionsIn(workflows.policy)).not.toContain("iam:PassRole");
  });

  it("let EventBridge start exactly the state machines the rules target", async () => {
    const rules = role("Rules");
    const targets = new Set(plan.rules.flatMap((rule) => (rule.target.kind === "workflow" ? [rule.target.arn] : [])));
    expect(targets.size).toBeGreaterThan(0);
    for (const arn of targets) {
      expect(
        await decide(
          { principal: roleArn(rules.name), action: "states:StartExecution", resource: arn, resourceAccount: ACCOUNT },
          [rules.policy],
        ),
      ).toBe("Allowed");
    }
    const foreign = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:other-app`;
    expect(
      await decide(
        {
          principal: roleArn(rules.name),
          action: "states:StartExecution",
          resource: foreign,
          resourceAccount: ACCOUNT,
        },
        [rules.policy],
      ),
    ).toBe("ImplicitlyDenied");
  });

  it("keep the member role, in its own account, off Riposte's identities", async () => {
    const org = deploymentPlan(
      { config: parseConfig(CONTEXTS["org member role, encrypted alerts, watched regions"]!), source: "test" },
      place,
      names,
    );
    const member = org.organization!.memberRole!;
    const principal = roleArn(member.name, MEMBER);
    const decideOn = (action: string, resource: string) =>
      decide({ principal, action, resource, resourceAccount: MEMBER }, [member.policy]);

    expect(await decideOn("iam:PutRolePolicy", roleArn("riposte-member-remediation", MEMBER))).toBe("ExplicitlyDenied");
    expect(await decideOn("iam:PutUserPolicy", `arn:aws:iam::${MEMBER}:user/riposte-ci`)).toBe("ExplicitlyDenied");
    expect(await decideOn("iam:PutUserPolicy", `arn:aws:iam::${MEMBER}:user/alice`)).toBe("Allowed");
    expect(await decideOn("iam:CreateUser", `arn:aws:iam::${MEMBER}:user/attacker`)).toBe("ImplicitlyDenied");
  });
});

describe("consequential actions are denied to every function", () => {
  const consequential = [
    ["iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/attacker`],
    ["iam:AttachRolePolicy", roleArn("riposte-test-us-east-1-Remediate")],
    ["s3:DeleteBucket", "arn:aws:s3:::audit-logs"],
    ["ec2:TerminateInstances", `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`],
    ["dynamodb:DeleteTable", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${names.table}`],
    ["cloudtrail:StopLogging", `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`],
    ["sts:AssumeRole", roleArn("OrganizationAccountAccessRole", MEMBER)],
  ] as const;

  for (const context of ["live", "org member role, encrypted alerts, watched regions"]) {
    it(`${context}: ${consequential.map(([action]) => action).join(", ")}`, async () => {
      for (const { fn, roleName, policy } of policiesOf(CONTEXTS[context]!)) {
        for (const [action, resource] of consequential) {
          const decision = await decide(
            {
              principal: roleArn(roleName),
              action,
              resource,
              resourceAccount: resource.includes(MEMBER) ? MEMBER : ACCOUNT,
            },
            [policy],
          );
          expect(decision, `${fn} ${action}`).not.toBe("Allowed");
        }
      }
    });
  }
});

describe("remediation never changes Riposte's own identities", () => {
  const { roleName, policy } = policyOf(CONTEXTS.live!, "remediate");
  const remediate = roleArn(roleName);
  const granted = new Set(iamWritesOf(accessFor("remediate", accessContextOf(parseConfig(CONTEXTS.live!)))));
  const roleWrites = [
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteRolePolicy",
  ];

  it.each(roleWrites)("%s on a Riposte role: denied; on another role: allowed only if granted", async (action) => {
    const own = await decide(
      { principal: remediate, action, resource: roleArn("riposte-test-us-east-1-Api"), resourceAccount: ACCOUNT },
      [policy],
    );
    const other = await decide(
      { principal: remediate, action, resource: roleArn("web-server"), resourceAccount: ACCOUNT },
      [policy],
    );

    expect(own).toBe(granted.has(action) ? "ExplicitlyDenied" : "ImplicitlyDenied");
    expect(other).toBe(granted.has(action) ? "Allowed" : "ImplicitlyDenied");
  });

  it("denies every IAM write it has on Riposte's roles and users, by the NeverChangeRiposteIdentities Deny", async () => {
    expect(granted.size).toBeGreaterThan(0);
    for (const action of granted) {
      // Role actions target roles, group actions groups, the others users; a Riposte identity in this
      // account and in a member's.
      const kind = action.includes("Role") ? "role" : action.includes("Group") ? "group" : "user";
      for (const account of [ACCOUNT, MEMBER]) {
        const resource = `arn:aws:iam::${account}:${kind}/riposte-test-us-east-1-Remediate`;
        const decision = await decide({ principal: remediate, action, resource, resourceAccount: account }, [policy]);
        expect(decision, `${action} on ${resource}`).toBe("ExplicitlyDenied");
      }
      // In its own account (in members it acts through the member role), anyone else's: allowed.
      const alice = `arn:aws:iam::${ACCOUNT}:${kind}/alice`;
      // iam:PassRole is granted only to hand a role to S3 (PutBucketReplication keeps the configuration's role).
      const context: Record<string, string> =
        action === "iam:PassRole" ? { "iam:PassedToService": "s3.amazonaws.com" } : {};
      expect(
        await decide({ principal: remediate, action, resource: alice, resourceAccount: ACCOUNT, context }, [policy]),
      ).toBe("Allowed");
    }
    expect(roleWrites.filter((action) => granted.has(action))).toEqual([
      "iam:PutRolePolicy",
      "iam:UpdateAssumeRolePolicy",
      "iam:DeleteRolePolicy",
    ]);
  });

  it("passes a role to S3 only, never to another service", async () => {
    const role = roleArn("replication");
    const passTo = (service: string) =>
      decide(
        {
          principal: remediate,
          action: "iam:PassRole",
          resource: role,
          resourceAccount: ACCOUNT,
          context: { "iam:PassedToService": service },
        },
        [policy],
      );

    expect(await passTo("s3.amazonaws.com")).toBe("Allowed");
    expect(await passTo("ec2.amazonaws.com")).toBe("ImplicitlyDenied");
    expect(await passTo("lambda.amazonaws.com")).toBe("ImplicitlyDenied");
  });
});

describe("a member account's role", () => {
  const config = CONTEXTS["org member role, encrypted alerts, watched regions"]!;
  const plan = deploymentPlan({ config: parseConfig(config), source: "test" }, place, names);
  const trustPolicy = plan.organization!.memberRole!.trustPolicy;
  const memberRole = roleArn("riposte-member-remediation", MEMBER);
  const assume = (fn: string, context: Record<string, string>) => {
    const { roleName, policy } = policyOf(config, fn);
    return decide(
      {
        principal: roleArn(roleName),
        action: "sts:AssumeRole",
        resource: memberRole,
        resourceAccount: MEMBER,
        context,
      },
      [policy],
      trustPolicy,
    );
  };
  const inOrganization = { "aws:ResourceOrgID": ORGANIZATION };

  it.each(["remediate", "verify", "sweep"])("is assumed by %s with the external id only", async (fn) => {
    expect(await assume(fn, { ...inOrganization, "sts:ExternalId": EXTERNAL_ID })).toBe("Allowed");
    expect(await assume(fn, inOrganization)).not.toBe("Allowed");
    expect(await assume(fn, { ...inOrganization, "sts:ExternalId": "guessed" })).not.toBe("Allowed");
  });

  it("is not assumed outside the organization, nor by the other functions", async () => {
    expect(await assume("remediate", { "aws:ResourceOrgID": "o-zzzzzzzzzz", "sts:ExternalId": EXTERNAL_ID })).not.toBe(
      "Allowed",
    );
    for (const fn of ["api", "notify", "correlate"]) {
      expect(await assume(fn, { ...inOrganization, "sts:ExternalId": EXTERNAL_ID }), fn).not.toBe("Allowed");
    }
  });
});
