import { describe, expect, it } from "vitest";
import { REMEDIATION_MODES } from "../model/incident.js";
import { OPERATIONS } from "../remediation/aws/operations.js";
import { permissionsFor } from "../remediation/permissions.js";
import { PLANNERS } from "../remediation/planners.js";
import {
  type AccessContext,
  accessFor,
  actionsOf,
  DEPLOYED_FUNCTIONS,
  type ResourceRef,
  rulesRoleAccess,
  workflowRoleAccess,
} from "./access.js";
import { IAM_ACTION, policyDocument } from "./policy.js";

const CONTEXTS: AccessContext[] = REMEDIATION_MODES.flatMap((mode) =>
  [false, true].flatMap((encryptAlerts) =>
    [false, true].map((crossAccount) => ({ mode, encryptAlerts, crossAccount })),
  ),
);
const LIVE: AccessContext = { mode: "live", encryptAlerts: false, crossAccount: false };
const DRY_RUN: AccessContext = { ...LIVE, mode: "dry-run" };

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
        accessFor(fn, { mode: "live", encryptAlerts: true, crossAccount: true }),
        fakeArns,
      );
      expect(document.Statement.length, fn).toBeGreaterThan(0);
      for (const statement of document.Statement) expect(statement.Resource.length).toBeGreaterThan(0);
    }
    expect(() => policyDocument(accessFor("notify", LIVE), () => undefined)).toThrow(/no ARN for the table resource/);
  });

  it("uses a `*` resource only where IAM has no resource type or targets are per incident", () => {
    const allowedOnAnyResource = new Set([
      "states:SendTaskSuccess",
      "states:SendTaskFailure",
      "states:SendTaskHeartbeat",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeNetworkInterfaces",
      "s3:GetBucketTagging",
      "s3:GetBucketPolicyStatus",
      "s3:GetBucketPublicAccessBlock",
      "iam:GetUserPolicy",
      "iam:DeleteUserPolicy",
      ...permissionsFor(Object.keys(PLANNERS)),
    ]);
    for (const fn of DEPLOYED_FUNCTIONS) {
      for (const statement of accessFor(fn, { mode: "live", encryptAlerts: true, crossAccount: true })) {
        if (!statement.resources.includes("*")) continue;
        for (const action of statement.actions) expect(allowedOnAnyResource.has(action), `${fn} ${action}`).toBe(true);
      }
    }
  });

  it("grants remediation exactly the actions' declared permissions, and only when remediation is live", () => {
    const declared = permissionsFor(Object.keys(PLANNERS));

    expect(actionsOf(accessFor("remediate", LIVE))).toEqual(
      [...new Set([...declared, ...actionsOf(accessFor("record", LIVE))])].sort(),
    );
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

  it("assumes member-account roles only in org-wide mode, and only where remediation runs", () => {
    const org = { ...LIVE, crossAccount: true };

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
