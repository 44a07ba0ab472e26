import {
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAttachedRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";
const ADMIN_DOCUMENT = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }],
});
const READ_ONLY_DOCUMENT = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
});
const attached = (facts: Record<string, unknown> = {}) =>
  incident("iam-admin-policy-attached", {
    eventName: "AttachRolePolicy",
    targetRoleName: "ci-deploy",
    policyArn: ADMIN_ARN,
    ...facts,
  });
const inline = (facts: Record<string, unknown> = {}) =>
  incident("iam-admin-policy-attached", {
    eventName: "PutUserPolicy",
    targetUserName: "bob",
    policyName: "backdoor",
    adminStatements: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    ...facts,
  });
const role = (tags: { Key: string; Value: string }[] = [], path = "/") => ({
  Role: {
    RoleName: "ci-deploy",
    RoleId: "AROA",
    Arn: `arn:aws:iam::123456789012:role${path}ci-deploy`,
    Path: path,
    CreateDate: new Date(),
    Tags: tags,
  },
});
const bob = {
  User: {
    UserName: "bob",
    UserId: "AIDA",
    Arn: "arn:aws:iam::123456789012:user/bob",
    Path: "/",
    CreateDate: new Date(),
  },
};
const approved = { approved: true };

describe("iam-remove-admin-policy: plan", () => {
  it.each([
    ["AttachUserPolicy", "targetUserName", "DetachUserPolicy", { UserName: "x", PolicyArn: ADMIN_ARN }],
    ["AttachRolePolicy", "targetRoleName", "DetachRolePolicy", { RoleName: "x", PolicyArn: ADMIN_ARN }],
    ["AttachGroupPolicy", "targetGroupName", "DetachGroupPolicy", { GroupName: "x", PolicyArn: ADMIN_ARN }],
  ])("%s is undone by %s with the policy ARN", (eventName, key, operation, params) => {
    const plan = staticPlan("iam-remove-admin-policy", attached({ eventName, targetRoleName: undefined, [key]: "x" }));

    expect(plan).toMatchObject({ ok: true, planned: { destructive: true } });
    expect(plan.ok && plan.planned.calls).toEqual([{ service: "iam", operation, params, region: "us-east-1" }]);
  });

  it.each([
    ["PutUserPolicy", "targetUserName", "DeleteUserPolicy", { UserName: "x", PolicyName: "backdoor" }],
    ["PutRolePolicy", "targetRoleName", "DeleteRolePolicy", { RoleName: "x", PolicyName: "backdoor" }],
    ["PutGroupPolicy", "targetGroupName", "DeleteGroupPolicy", { GroupName: "x", PolicyName: "backdoor" }],
  ])("%s is undone by %s with the inline policy's name", (eventName, key, operation, params) => {
    const plan = staticPlan("iam-remove-admin-policy", inline({ eventName, targetUserName: undefined, [key]: "x" }));

    expect(plan.ok && plan.planned.calls).toEqual([{ service: "iam", operation, params, region: "us-east-1" }]);
    expect(plan.ok && plan.planned.description).toMatch(/document is read first and kept/);
  });

  it.each([
    ["no event", { eventName: undefined }, /no Attach\/Put/],
    ["another call", { eventName: "CreateRole" }, /no Attach\/Put/],
    ["the actor's role name only", { targetRoleName: undefined, roleName: "ci-deploy" }, /no valid IAM role/],
    ["an odd role name", { targetRoleName: "ci deploy/../x" }, /no valid IAM role/],
    ["another policy", { policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, /no AdministratorAccess/],
    ["a pathed look-alike", { policyArn: "arn:aws:iam::aws:policy/x/AdministratorAccess" }, /no AdministratorAccess/],
    [
      "another account's policy",
      { policyArn: "arn:aws:iam::210987654321:policy/AdministratorAccess" },
      /another account/,
    ],
  ])("does not apply to an attach with %s", (_, facts, reason) => {
    expect(staticPlan("iam-remove-admin-policy", attached(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });

  it.each([
    ["no policy name", { policyName: undefined }],
    ["an odd policy name", { policyName: "a b" }],
    ["a policy name that is not text", { policyName: ["backdoor"] }],
  ])("does not apply to an inline put with %s", (_, facts) => {
    expect(staticPlan("iam-remove-admin-policy", inline(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(/no valid inline policy/),
    });
  });
});

describe("iam-remove-admin-policy: live", () => {
  it("detaches the attached policy from the role, read with its tags, and verifies", async () => {
    aws.iam.on(GetRoleCommand).resolves(role([{ Key: "team", Value: "ci" }]));
    aws.iam
      .on(ListAttachedRolePoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: ADMIN_ARN }], IsTruncated: true, Marker: "m" })
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }] })
      .resolves({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }] });

    const { applied, verification } = await remediateAndVerify(
      "iam-remove-admin-policy",
      attached(),
      config(),
      approved,
    );

    expect(aws.inputs("ListAttachedRolePoliciesCommand").slice(0, 2)).toEqual([
      { RoleName: "ci-deploy" },
      { RoleName: "ci-deploy", Marker: "m" },
    ]);
    expect(aws.inputs("DetachRolePolicyCommand")).toEqual([{ RoleName: "ci-deploy", PolicyArn: ADMIN_ARN }]);
    expect(applied).toMatchObject({ outcome: "applied", before: { state: { present: true }, tags: [{ team: "ci" }] } });
    expect(verification.verified).toBe(true);
  });

  it("keeps the inline policy's document in the before-snapshot, then deletes it", async () => {
    aws.iam.on(GetUserCommand).resolves(bob);
    aws.iam
      .on(GetUserPolicyCommand)
      .resolvesOnce({ UserName: "bob", PolicyName: "backdoor", PolicyDocument: encodeURIComponent(ADMIN_DOCUMENT) })
      .rejects(awsError("NoSuchEntityException"));

    const { applied, verification } = await remediateAndVerify("iam-remove-admin-policy", inline(), config(), approved);

    expect(aws.inputs("DeleteUserPolicyCommand")).toEqual([{ UserName: "bob", PolicyName: "backdoor" }]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { source: "live", state: { present: true, document: ADMIN_DOCUMENT } },
      after: { state: { present: false } },
    });
    expect(verification).toMatchObject({ verified: true, checks: [expect.objectContaining({ ok: true })] });
  });

  it("deletes a group's inline policy (groups carry no tags; the group is read for its ARN)", async () => {
    aws.iam.on(GetGroupCommand).resolves({
      Group: {
        GroupName: "admins",
        GroupId: "G",
        Arn: "arn:aws:iam::123456789012:group/admins",
        Path: "/",
        CreateDate: new Date(),
      },
      Users: [],
    });
    aws.iam.on(GetGroupPolicyCommand).resolves({ PolicyDocument: ADMIN_DOCUMENT });

    const { applied } = await remediateAndVerify(
      "iam-remove-admin-policy",
      inline({ eventName: "PutGroupPolicy", targetUserName: undefined, targetGroupName: "admins" }),
      config(),
      approved,
    );

    expect(aws.inputs("GetGroupCommand")[0]).toEqual({ GroupName: "admins", MaxItems: 1 });
    expect(aws.inputs("DeleteGroupPolicyCommand")).toEqual([{ GroupName: "admins", PolicyName: "backdoor" }]);
    expect(applied.outcome).toBe("applied");
  });

  it("is already done when the policy is no longer attached", async () => {
    aws.iam.on(GetRoleCommand).resolves(role());
    aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });

    const { applied, verification } = await remediateAndVerify(
      "iam-remove-admin-policy",
      attached(),
      config(),
      approved,
    );

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("DetachRolePolicyCommand")).toEqual([]);
    expect(verification.verified).toBe(true);
  });

  it("is already done when the inline policy was deleted, or no longer grants everything", async () => {
    aws.iam.on(GetUserCommand).resolves(bob);
    aws.iam.on(GetUserPolicyCommand).rejects(awsError("NoSuchEntity"));
    const deleted = await remediateAndVerify("iam-remove-admin-policy", inline(), config(), approved);
    aws.reset();
    aws.iam.on(GetUserCommand).resolves(bob);
    aws.iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: READ_ONLY_DOCUMENT });
    const narrowed = await remediateAndVerify("iam-remove-admin-policy", inline(), config(), approved);

    expect(deleted.applied).toMatchObject({ outcome: "already-done", before: { state: { present: false } } });
    expect(narrowed.applied.outcome).toBe("already-done");
    expect(narrowed.verification.verified).toBe(true);
    expect(aws.inputs("DeleteUserPolicyCommand")).toEqual([]);
  });

  it("is already done when the policy was detached between read and write (NoSuchEntity, then re-read)", async () => {
    aws.iam.on(GetRoleCommand).resolves(role());
    aws.iam
      .on(ListAttachedRolePoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: ADMIN_ARN }] })
      .resolves({ AttachedPolicies: [] });
    aws.iam.on(DetachRolePolicyCommand).rejects(awsError("NoSuchEntity"));

    const { applied } = await remediateAndVerify("iam-remove-admin-policy", attached(), config(), approved);

    expect(applied.outcome).toBe("already-done");
  });

  it("fails verification when the policy is still attached", async () => {
    aws.iam.on(GetRoleCommand).resolves(role());
    aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: ADMIN_ARN }] });
    aws.iam.on(DetachRolePolicyCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      "iam-remove-admin-policy",
      attached(),
      config(),
      approved,
    );

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "still attached" })],
    });
  });

  it("fails verification when the inline policy still grants everything", async () => {
    aws.iam.on(GetUserCommand).resolves(bob);
    aws.iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: ADMIN_DOCUMENT });
    aws.iam.on(DeleteUserPolicyCommand).resolves({});

    const { verification } = await remediateAndVerify("iam-remove-admin-policy", inline(), config(), approved);

    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "still allows every action on every resource" })],
    });
  });

  it("counts a deleted identity as gone", async () => {
    aws.iam.on(GetRoleCommand).rejects(awsError("NoSuchEntity"));

    const { applied } = await remediateAndVerify("iam-remove-admin-policy", attached(), config(), approved);

    expect(applied.outcome).toBe("gone");
  });

  it("leaves a protected-tagged role, a protected principal and a service-linked role alone", async () => {
    aws.iam.on(GetRoleCommand).resolves(role([{ Key: "riposte:protect", Value: "true" }]));
    aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: ADMIN_ARN }] });
    const tagged = await remediateAndVerify("iam-remove-admin-policy", attached(), config(), approved);
    aws.iam.on(GetRoleCommand).resolves(role());
    const byPattern = await remediateAndVerify(
      "iam-remove-admin-policy",
      attached(),
      config({ protection: { principals: ["arn:aws:iam::*:role/ci-*"] } }),
      approved,
    );
    aws.iam.on(GetRoleCommand).resolves(role([], "/aws-service-role/"));
    const linked = await remediateAndVerify("iam-remove-admin-policy", attached(), config(), approved);

    expect(tagged.applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/protected/) });
    expect(byPattern.applied).toMatchObject({
      outcome: "skipped",
      error: expect.stringMatching(/protected principal/),
    });
    expect(linked.applied).toMatchObject({ outcome: "failed", error: expect.stringMatching(/service-linked/) });
    expect(aws.inputs("DetachRolePolicyCommand")).toEqual([]);
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify("iam-remove-admin-policy", attached());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(aws.sent()).toEqual([]);
  });
});
