import { describe, expect, it } from "vitest";
import { parseConfig } from "../core/config/load.js";
import { CATALOG } from "../core/detections/catalog.js";
import { REMEDIATION_ACTION_IDS } from "../core/model/actions.js";
import { REMEDIATION_MODES } from "../core/model/incident.js";
import { OPERATIONS } from "../core/remediation/aws/operations.js";
import { GUARDDUTY_ACTIONS } from "../core/remediation/guardduty.js";
import { permissionsFor } from "../core/remediation/permissions.js";
import { PLANNERS } from "../core/remediation/planners.js";
import { actionsInUse, chooseActions } from "../core/remediation/responses.js";
import type { IncidentView } from "../core/remediation/types.js";
import {
  type AccessContext,
  type AccessStatement,
  actionsOf,
  iamWritesOf,
  type ResourceRef,
  remediationWrites,
  rulesRoleAccess,
  toolIdentityArns,
  workflowRoleAccess,
} from "./access.js";
import { deployProblems } from "./config.js";
import { accessFor, DEPLOYED_FUNCTIONS, functionsDeployed } from "./functions.js";
import { memberRolePolicy } from "./organization.js";
import { plannedResourceArns } from "./plan-arns.js";
import { IAM_ACTION, policyDocument } from "./policy.js";

const ORGANIZATION = "o-a1b2c3d4e5";
const PROTECT = { key: "riposte:protect", value: "true" };
const CONTEXTS: AccessContext[] = REMEDIATION_MODES.flatMap((mode) =>
  [false, true].flatMap((encryptAlerts) =>
    [false, true].map((crossAccount) => ({
      mode,
      encryptAlerts,
      crossAccount,
      organizationId: ORGANIZATION,
      actions: REMEDIATION_ACTION_IDS,
      protectionTag: PROTECT,
    })),
  ),
);
const LIVE: AccessContext = {
  mode: "live",
  encryptAlerts: false,
  crossAccount: false,
  actions: REMEDIATION_ACTION_IDS,
  protectionTag: PROTECT,
};
const DRY_RUN: AccessContext = { ...LIVE, mode: "dry-run" };

const PLACE = { partition: "aws", region: "eu-west-1", account: "123456789012", stage: "test" };
const fakeArns = (ref: Exclude<ResourceRef, "*">) => [`arn:aws:test:eu-west-1:123456789012:${ref}`];

/** Every write operation's IAM action, per the remediation operations table. */
const WRITES = new Set(
  Object.values(OPERATIONS).flatMap((operations) =>
    Object.values(operations).flatMap((operation) => (operation.write && operation.iam ? [operation.iam] : [])),
  ),
);

describe("generated access", () => {
  it("names exact actions only, never a wildcard, for every function in every deployment", () => {
    for (const context of CONTEXTS) {
      for (const fn of DEPLOYED_FUNCTIONS) {
        for (const action of actionsOf(accessFor(fn, context))) {
          expect(action, `${fn} ${JSON.stringify(context)}`).toMatch(IAM_ACTION);
          expect(action).not.toContain("*");
        }
      }
    }
    for (const action of actionsOf([...workflowRoleAccess(), ...rulesRoleAccess()])) expect(action).toMatch(IAM_ACTION);
  });

  it("resolves into policy documents with every resource named", () => {
    for (const fn of DEPLOYED_FUNCTIONS) {
      const document = policyDocument(
        accessFor(fn, {
          ...LIVE,
          encryptAlerts: true,
          crossAccount: true,
          organizationId: ORGANIZATION,
          securityHubExport: true,
        }),
        fakeArns,
      );
      expect(document.Statement.length, fn).toBeGreaterThan(0);
      for (const statement of document.Statement) expect(statement.Resource.length).toBeGreaterThan(0);
    }
    expect(() => policyDocument(accessFor("notify", LIVE), () => undefined)).toThrow(/no ARN for the table resource/);
  });

  it("grants the Security Hub export's calls only to its sync function, and only with securityHub.export", () => {
    const on = { ...LIVE, securityHubExport: true };
    // (Remediation's securityhub-enable grants its own calls to remediate and verify.)
    const exportCalls = ["securityhub:BatchImportFindings", "securityhub:BatchUpdateFindings"];
    const granted = (context: AccessContext) =>
      DEPLOYED_FUNCTIONS.filter((fn) => actionsOf(accessFor(fn, context)).some((a) => exportCalls.includes(a)));

    expect(granted(LIVE)).toEqual([]);
    expect(accessFor("securityHub", LIVE)).toEqual([]);
    expect(granted(on)).toEqual(["securityHub"]);
    expect(accessFor("securityHub", on).filter((s) => s.actions.some((a) => a.startsWith("securityhub:")))).toEqual([
      {
        sid: "ImportSecurityHubFindings",
        actions: ["securityhub:BatchImportFindings"],
        resources: ["securityHubProduct"],
      },
      { sid: "UpdateSecurityHubWorkflow", actions: ["securityhub:BatchUpdateFindings"], resources: ["securityHubHub"] },
    ]);
    expect(functionsDeployed("live")).not.toContain("securityHub");
    expect(functionsDeployed("live", { securityHubExport: true })).toContain("securityHub");
    expect(plannedResourceArns(parseConfig({ securityHub: { export: true } }), PLACE)).toMatchObject({
      securityHubProduct: ["arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"],
      securityHubHub: ["arn:aws:securityhub:eu-west-1:123456789012:hub/default"],
    });
    expect(plannedResourceArns(parseConfig({}), PLACE).securityHubProduct).toBeUndefined();
  });

  it("uses a `*` resource only where IAM has no resource type or targets are per incident", () => {
    const allowedOnAnyResource = new Set([
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeNetworkInterfaces",
      "states:SendTaskSuccess",
      "states:SendTaskFailure",
      "states:SendTaskHeartbeat",
      "dynamodb:ListStreams",
      "s3:GetBucketTagging",
      "s3:GetBucketPolicyStatus",
      "s3:GetBucketPublicAccessBlock",
      "iam:GetUserPolicy",
      "iam:DeleteUserPolicy",
      // "Was this you?": the acting IAM user, known only per incident (core/confirm/actor.ts).
      "iam:ListUserTags",
      // Conditioned on iam:PassedToService (the role a replication configuration already names).
      "iam:PassRole",
      ...permissionsFor(Object.keys(PLANNERS)),
    ]);
    for (const fn of DEPLOYED_FUNCTIONS) {
      for (const statement of accessFor(fn, {
        ...LIVE,
        encryptAlerts: true,
        crossAccount: true,
        organizationId: ORGANIZATION,
      })) {
        if (!statement.resources.includes("*")) continue;
        for (const action of statement.actions) expect(allowedOnAnyResource.has(action), `${fn} ${action}`).toBe(true);
      }
    }
  });

  it("grants remediation exactly the actions' declared permissions, and only when remediation is live", () => {
    const declared = permissionsFor(Object.keys(PLANNERS));

    expect(actionsOf(accessFor("remediate", LIVE))).toEqual(
      [...new Set([...declared, "iam:PassRole", ...actionsOf(accessFor("record", LIVE))])].sort(),
    );
    expect(accessFor("remediate", LIVE).find((s) => s.actions.includes("iam:PassRole"))).toEqual({
      sid: "RemediatePassRole",
      actions: ["iam:PassRole"],
      resources: ["*"],
      condition: { StringEquals: { "iam:PassedToService": ["s3.amazonaws.com"] } },
    });
    for (const mode of ["dry-run", "off"] as const) {
      expect(actionsOf(accessFor("remediate", { ...LIVE, mode }))).toEqual(actionsOf(accessFor("record", LIVE)));
      expect(actionsOf(accessFor("sweep", { ...LIVE, mode }))).not.toContain("iam:DeleteUserPolicy");
    }
  });

  it("lets verification read but never change a target", () => {
    const verify = actionsOf(accessFor("verify", LIVE));

    expect(verify.filter((action) => WRITES.has(action))).toEqual([]);
    expect(verify).toContain("ec2:DescribeSecurityGroupRules");
    expect(verify).toContain("s3:GetBucketPolicyStatus");
  });

  it("completes approval tasks from every function that does (on `*`: SendTask* have no resource type)", () => {
    const callbackActions = ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"];

    const completers = DEPLOYED_FUNCTIONS.filter((fn) =>
      actionsOf(accessFor(fn, LIVE)).includes("states:SendTaskSuccess"),
    );

    // open closes approvals of incidents it resolves; approval, those of incidents already final.
    // notices resumes decisions a dying Lambda saved but never sent: it only ever sends success.
    expect(completers).toEqual(["open", "approval", "api", "slack", "notices"]);
    expect(accessFor("notices", LIVE).filter((s) => s.actions.some((a) => callbackActions.includes(a)))).toEqual([
      { sid: "ResumeApprovalTasks", actions: ["states:SendTaskSuccess"], resources: ["*"] },
    ]);
    for (const fn of completers.filter((completer) => completer !== "notices")) {
      const statements = accessFor(fn, LIVE).filter((s) => s.actions.some((a) => callbackActions.includes(a)));
      expect(statements, fn).toEqual([{ sid: "CompleteApprovalTasks", actions: callbackActions, resources: ["*"] }]);
    }
  });

  it("assumes member-account roles only inside the configured organization", () => {
    const org = { ...LIVE, crossAccount: true, organizationId: ORGANIZATION };

    for (const fn of ["remediate", "verify", "sweep"] as const) {
      const assume = accessFor(fn, org).find((s) => s.actions.includes("sts:AssumeRole"));
      expect(assume, fn).toEqual({
        sid: "AssumeMemberRole",
        actions: ["sts:AssumeRole"],
        resources: ["memberRoles"],
        condition: { StringEquals: { "aws:ResourceOrgID": [ORGANIZATION] } },
      });
    }
    expect(() => accessFor("remediate", { ...org, organizationId: undefined })).toThrow(/aws\.organization\.id/);
  });

  it("assumes member-account roles only in org-wide mode, and only where remediation runs", () => {
    const org = { ...LIVE, crossAccount: true, organizationId: ORGANIZATION };

    for (const fn of DEPLOYED_FUNCTIONS) {
      const assumes = actionsOf(accessFor(fn, org)).includes("sts:AssumeRole");
      expect(assumes, fn).toBe(["remediate", "verify", "sweep"].includes(fn));
      expect(actionsOf(accessFor(fn, LIVE))).not.toContain("sts:AssumeRole");
    }
    expect(actionsOf(accessFor("remediate", { ...org, mode: "dry-run" }))).not.toContain("sts:AssumeRole");
  });

  it("gives only the notifying functions the alerts topic, and its key when encrypted", () => {
    const publishers = DEPLOYED_FUNCTIONS.filter((fn) => actionsOf(accessFor(fn, LIVE)).includes("sns:Publish"));
    const keyUsers = DEPLOYED_FUNCTIONS.filter((fn) =>
      actionsOf(accessFor(fn, { ...LIVE, encryptAlerts: true })).includes("kms:GenerateDataKey"),
    );

    expect(publishers).toEqual(["notify", "approval", "notices"]);
    expect(keyUsers).toEqual(publishers);
  });

  it("keeps the live WebSocket functions to their table items and connections", () => {
    expect(actionsOf(accessFor("wsConnect", DRY_RUN))).toEqual(["dynamodb:PutItem"]);
    expect(actionsOf(accessFor("wsDisconnect", DRY_RUN))).toEqual(["dynamodb:DeleteItem"]);
    expect(actionsOf(accessFor("wsHeartbeat", DRY_RUN))).toEqual([
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "execute-api:ManageConnections",
    ]);
  });

  it("lets Step Functions invoke exactly the task functions, and EventBridge start exactly the workflows", () => {
    const invoke = workflowRoleAccess().find((statement) => statement.actions.includes("lambda:InvokeFunction"));

    expect(invoke?.resources).toEqual(["taskFunctions"]);
    expect(rulesRoleAccess()).toEqual([
      { sid: "StartWorkflows", actions: ["states:StartExecution"], resources: ["stateMachines"] },
    ]);
  });
});

describe("no role changes Riposte's own identities", () => {
  const prefix = "riposte-";
  const resolve = (ref: Exclude<ResourceRef, "*">) =>
    ref === "toolIdentities" ? toolIdentityArns("aws", prefix) : fakeArns(ref);

  it("denies every IAM write a function may make on the tool's roles and users, and only then", () => {
    let guarded = 0;
    for (const context of CONTEXTS) {
      for (const fn of DEPLOYED_FUNCTIONS) {
        const statements = accessFor(fn, context);
        const writes = iamWritesOf(statements);
        const denies = policyDocument(statements, resolve).Statement.filter(
          (s) => s.Sid === "NeverChangeRiposteIdentities",
        );

        if (writes.length === 0) {
          expect(denies, fn).toEqual([]);
          continue;
        }
        guarded += 1;
        expect(denies, `${fn} ${JSON.stringify(context)}`).toEqual([
          {
            Sid: "NeverChangeRiposteIdentities",
            Effect: "Deny",
            Action: writes,
            Resource: [
              "arn:aws:iam::*:role/riposte-*",
              "arn:aws:iam::*:user/riposte-*",
              "arn:aws:iam::*:group/riposte-*",
            ],
          },
        ]);
      }
    }
    expect(guarded).toBeGreaterThan(0);
  });

  it("covers the role-policy, user-policy and access-key writes of live remediation and the sweep", () => {
    const remediate = accessFor("remediate", LIVE);
    const sweep = accessFor("sweep", LIVE);
    const denied = (statements: ReturnType<typeof accessFor>) =>
      statements.find((s) => s.sid === "NeverChangeRiposteIdentities")?.actions ?? [];

    expect(denied(remediate)).toEqual(
      expect.arrayContaining(["iam:PutUserPolicy", "iam:UpdateAccessKey", "iam:DeleteUserPolicy"]),
    );
    expect(denied(remediate)).toEqual(iamWritesOf(remediate));
    expect(denied(sweep)).toEqual(["iam:DeleteUserPolicy"]);
    expect(accessFor("remediate", DRY_RUN).some((s) => s.effect === "Deny")).toBe(false);
  });

  it("puts the same Deny in the member accounts' role", () => {
    const policy = memberRolePolicy(REMEDIATION_ACTION_IDS, {
      partition: "aws",
      toolRolePrefix: prefix,
      protectionTag: PROTECT,
    });
    const allowed = policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action);
    const deny = policy.Statement.filter((s) => s.Sid === "NeverChangeRiposteIdentities");

    expect(allowed).toEqual([...permissionsFor(REMEDIATION_ACTION_IDS), "iam:PassRole"]);
    expect(policy.Statement.find((s) => s.Sid === "RiposteRemediationPassRole")?.Condition).toEqual({
      StringEquals: { "iam:PassedToService": ["s3.amazonaws.com"] },
    });
    expect(deny).toEqual([
      {
        Sid: "NeverChangeRiposteIdentities",
        Effect: "Deny",
        Action: allowed.filter((a) => a.startsWith("iam:") && !/^iam:(Get|List)/.test(a)).sort(),
        Resource: ["arn:aws:iam::*:role/riposte-*", "arn:aws:iam::*:user/riposte-*", "arn:aws:iam::*:group/riposte-*"],
      },
    ]);
  });
});

describe("the protection tag, denied in IAM too", () => {
  const protectedDeny = (statements: readonly AccessStatement[]) =>
    statements.filter((s) => s.sid === "NeverChangeProtectedResources");

  it("denies live remediation every write it is allowed on a resource carrying the tag, and no read", () => {
    const statements = accessFor("remediate", { ...LIVE, protectionTag: { key: "Owner-Lock", value: "Yes" } });
    const [deny, ...more] = protectedDeny(statements);

    expect(more).toEqual([]);
    expect(deny).toEqual({
      sid: "NeverChangeProtectedResources",
      effect: "Deny",
      actions: remediationWrites(REMEDIATION_ACTION_IDS),
      resources: ["*"],
      condition: { StringEqualsIgnoreCase: { "aws:ResourceTag/Owner-Lock": ["Yes"] } },
    });
    // Every write of the operations table is denied; no read is (the guardrails read the tags).
    const allowed = new Set(actionsOf(statements));
    for (const write of WRITES) if (allowed.has(write)) expect(deny?.actions, write).toContain(write);
    for (const action of deny?.actions ?? []) expect(action).not.toMatch(/:(Get|List|Describe|Head)/);
    expect(deny?.actions).toEqual(
      expect.arrayContaining(["ec2:RevokeSecurityGroupIngress", "iam:PutUserPolicy", "s3:PutBucketPublicAccessBlock"]),
    );
  });

  it("is only where remediation writes: not in dry-run, not in Verify's read-back", () => {
    expect(protectedDeny(accessFor("remediate", DRY_RUN))).toEqual([]);
    expect(protectedDeny(accessFor("verify", LIVE))).toEqual([]);
    expect(protectedDeny(accessFor("remediate", { ...LIVE, actions: [] }))).toEqual([]);
  });

  it("is in the member accounts' role, for the actions in use", () => {
    const actions = ["revoke-sg-rules"] as const;
    const policy = memberRolePolicy(actions, { partition: "aws", toolRolePrefix: "riposte-", protectionTag: PROTECT });

    expect(policy.Statement.find((s) => s.Sid === "NeverChangeProtectedResources")).toEqual({
      Sid: "NeverChangeProtectedResources",
      Effect: "Deny",
      Action: remediationWrites(actions),
      Resource: ["*"],
      Condition: { StringEqualsIgnoreCase: { "aws:ResourceTag/riposte:protect": ["true"] } },
    });
  });

  it("keeps every role's policy within IAM's quota on a role's inline policies, every action in use", () => {
    // IAM counts a role's inline policies together, whitespace aside: 10,240 characters.
    const longest = { ...LIVE, encryptAlerts: true, crossAccount: true, organizationId: ORGANIZATION };
    const arn = (ref: string) => [
      `arn:aws-us-gov:${ref}:us-gov-west-1:123456789012:riposte-production-${ref}-0123456789abcdef`,
    ];
    for (const fn of DEPLOYED_FUNCTIONS) {
      const text = JSON.stringify(policyDocument(accessFor(fn, longest), arn)).replace(/\s/g, "");
      expect(text.length, fn).toBeLessThanOrEqual(10_240);
    }
  });

  it("is refused at deploy when the tag is not one AWS accepts", () => {
    const problems = (tag: { key: string; value: string }) =>
      deployProblems(parseConfig({ protection: { tag } })).filter((p) => p.startsWith("protection.tag"));

    expect(problems({ key: "riposte:protect", value: "true" })).toEqual([]);
    expect(problems({ key: "owner*", value: "true" })[0]).toMatch(/protection\.tag\.key: .* is not an AWS tag key/);
    expect(problems({ key: "aws:cloudformation:stack-name", value: "x" })[0]).toMatch(/not starting with aws:/);
    expect(problems({ key: "lock", value: "a*b" })[0]).toMatch(/protection\.tag\.value: .* is not an AWS tag value/);
  });
});

describe("remediation grants follow the configuration", () => {
  const grants = (input: Record<string, unknown>) => {
    const config = parseConfig({ remediation: { mode: "live" }, ...input });
    const context: AccessContext = { ...LIVE, actions: actionsInUse(config) };
    return {
      actions: context.actions,
      remediate: actionsOf(accessFor("remediate", context)),
      verify: actionsOf(accessFor("verify", context)),
      sweep: actionsOf(accessFor("sweep", context)),
    };
  };

  it("grants the default responses, and no WAF or network ACL writes while neither is configured", () => {
    const { actions, remediate } = grants({});

    expect(actions).toEqual(
      expect.arrayContaining(["revoke-sg-rules", "s3-block-public-access", "s3-account-block-public-access"]),
    );
    expect(actions).toEqual(expect.arrayContaining(["iam-deactivate-access-key", "iam-revoke-sessions"]));
    expect(actions).not.toContain("waf-block-ip");
    expect(actions).not.toContain("nacl-deny-ip");
    expect(remediate).not.toContain("wafv2:UpdateIPSet");
    expect(remediate).not.toContain("ec2:CreateNetworkAclEntry");
  });

  it("grants the WAF IP set or the network ACL only when configured", () => {
    const waf = grants({
      remediation: { mode: "live", wafIpSet: { name: "blocked", id: "a1b2c3", scope: "REGIONAL" } },
    });
    const nacl = grants({ remediation: { mode: "live", networkAcl: { id: "acl-0123456789abcdef0" } } });

    expect(waf.remediate).toContain("wafv2:UpdateIPSet");
    expect(waf.remediate).not.toContain("ec2:CreateNetworkAclEntry");
    expect(nacl.remediate).toContain("ec2:CreateNetworkAclEntry");
    expect(nacl.remediate).not.toContain("wafv2:UpdateIPSet");
  });

  it("drops what switched-off and notify-only detections would need", () => {
    const quiet = grants({
      detections: {
        "console-login-brute-force": { enabled: false },
        "cloudtrail-tampering": { mode: "notify" },
        "guardduty-finding": { mode: "off" },
      },
    });

    expect(quiet.actions).not.toContain("iam-deny-temporarily");
    expect(quiet.sweep).toEqual(actionsOf(accessFor("sweep", DRY_RUN)));
    expect(quiet.actions).not.toContain("cloudtrail-start-logging");
    expect(quiet.remediate).not.toContain("cloudtrail:StartLogging");
  });

  it("grants iam:PassRole only while s3-replication-external answers with its action", () => {
    const on = grants({});
    const off = grants({ detections: { "s3-replication-external": { mode: "notify" } } });

    expect(on.remediate).toContain("iam:PassRole");
    expect(off.actions).not.toContain("s3-remove-foreign-replication");
    expect(off.remediate).not.toContain("iam:PassRole");
  });

  it("grants no action that no detection answers with, nor its permissions", () => {
    // Actions are built before the detections that will answer with them are wired to them.
    const answered = new Set<string>([
      ...CATALOG.flatMap((definition) => (definition.response.action ? [definition.response.action] : [])),
      ...GUARDDUTY_ACTIONS,
      // guardduty-suppressed answers a suppression rule (CreateFilter, UpdateFilter) with it: chooseActions.
      "guardduty-delete-filter",
    ]);
    const unanswered = REMEDIATION_ACTION_IDS.filter((id) => !answered.has(id) && id !== "nacl-deny-ip");
    const { actions, remediate, verify } = grants({});
    const neededByAnswered = new Set(permissionsFor(actions));

    expect(actions.filter((id) => unanswered.includes(id))).toEqual([]);
    for (const permission of permissionsFor(unanswered).filter((p) => !neededByAnswered.has(p))) {
      expect(remediate, permission).not.toContain(permission);
      expect(verify, permission).not.toContain(permission);
    }
  });

  it("grants nothing outside Riposte with every detection notify only", () => {
    const detections = Object.fromEntries(CATALOG.map((definition) => [definition.id, { mode: "notify" as const }]));
    const none = grants({ detections });

    expect(none.actions).toEqual([]);
    expect(none.remediate).toEqual(actionsOf(accessFor("remediate", DRY_RUN)));
    expect(none.verify).toEqual(actionsOf(accessFor("verify", DRY_RUN)));
  });

  it.each([
    ["GuardDuty on", {}],
    ["GuardDuty off", { "guardduty-finding": { enabled: false } }],
  ])("covers every action any incident can be given, whatever its facts (%s)", (_, detections) => {
    const config = parseConfig({
      detections,
      remediation: { mode: "live", networkAcl: { id: "acl-0123456789abcdef0" } },
    });
    const used = actionsInUse(config);
    const facts = [
      {},
      { accountLevel: true },
      { accessKeyId: "AKIAABCDEFGHIJKLMNOP" },
      { accessKeyId: "ASIAABCDEFGHIJKLMNOP" },
      ...[
        "Stealth:IAMUser/CloudTrailLoggingDisabled",
        "Policy:S3/AccountBlockPublicAccessDisabled",
        "Policy:S3/BucketAnonymousAccessGranted",
        "Recon:EC2/PortProbeUnprotectedPort",
        "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
        "CredentialAccess:IAMUser/AnomalousBehavior",
      ].flatMap((findingType) => [
        { findingType, accessKeyId: "AKIAABCDEFGHIJKLMNOP" },
        { findingType, accessKeyId: "ASIAABCDEFGHIJKLMNOP" },
      ]),
    ];
    for (const definition of CATALOG) {
      for (const fact of facts) {
        const chosen = chooseActions({ detection: definition.id, facts: fact } as unknown as IncidentView, config);
        for (const action of chosen.actions) expect(used, `${definition.id} ${JSON.stringify(fact)}`).toContain(action);
      }
    }
  });
});
