import {
  GetAccessKeyLastUsedCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, INCIDENT_TIME, incident } from "../../../test/remediation/fixtures.js";
import { mockAws, runPlanned } from "../../../test/remediation/mock-aws.js";
import { revokeSessionsDocument, temporaryDenyDocument } from "../analysis/iam-policy.js";
import { explainPlan } from "../policy.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const NOW = new Date("2026-03-02T10:05:00Z");
const notFound = () => Object.assign(new Error("not found"), { name: "NoSuchEntityException" });
const user = (tags: Record<string, string> = {}) => ({
  User: {
    UserName: "alice",
    UserId: "AIDA",
    Arn: "arn:aws:iam::123456789012:user/alice",
    Path: "/",
    CreateDate: new Date(),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  },
});
const bruteForce = incident("console-login-brute-force", { principalType: "IAMUser", userName: "alice" });

describe("iam-deny-temporarily", () => {
  it("puts a deny-all on the user that expires 30 minutes after now", async () => {
    aws.iam.on(GetUserCommand).resolves(user());
    aws.iam
      .on(GetUserPolicyCommand)
      .rejectsOnce(notFound())
      .resolves({
        UserName: "alice",
        PolicyName: "riposte-temporary-deny",
        PolicyDocument: encodeURIComponent(temporaryDenyDocument(new Date("2026-03-02T10:35:00Z"))),
      });

    const { applied } = await runPlanned(bruteForce, config(), { now: NOW });

    expect(aws.inputs("PutUserPolicyCommand")).toEqual([
      {
        UserName: "alice",
        PolicyName: "riposte-temporary-deny",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "RiposteTemporaryDeny",
              Effect: "Deny",
              Action: "*",
              Resource: "*",
              Condition: { DateLessThan: { "aws:CurrentTime": "2026-03-02T10:35:00Z" } },
            },
          ],
        }),
      },
    ]);
    expect(applied).toMatchObject({ outcome: "applied", after: { state: { deniedUntil: "2026-03-02T10:35:00Z" } } });
  });

  it("is already done while an earlier deny is still in force", async () => {
    aws.iam.on(GetUserCommand).resolves(user());
    aws.iam.on(GetUserPolicyCommand).resolves({
      UserName: "alice",
      PolicyName: "riposte-temporary-deny",
      PolicyDocument: temporaryDenyDocument(new Date("2026-03-02T10:20:00Z")),
    });

    const { applied } = await runPlanned(bruteForce, config(), { now: NOW });

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("PutUserPolicyCommand")).toEqual([]);
  });

  it("never puts a policy on a protected user", async () => {
    aws.iam.on(GetUserCommand).resolves(user({ "riposte:protect": "true" }));
    aws.iam.on(GetUserPolicyCommand).rejects(notFound());

    const { applied } = await runPlanned(bruteForce, config(), { now: NOW });

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("PutUserPolicyCommand")).toEqual([]);
  });

  it("refuses root and the names CloudTrail hides", () => {
    const root = explainPlan(incident("console-login-brute-force", { principalType: "Root" }), config(), NOW);
    const hidden = explainPlan(
      incident("console-login-brute-force", { principalType: "IAMUser", userName: "HIDDEN_DUE_TO_SECURITY_REASONS" }),
      config(),
      NOW,
    );

    expect(root.plan).toEqual([]);
    expect(root.notes.join()).toMatch(/root user cannot carry IAM policies/);
    expect(hidden.notes.join()).toMatch(/hides the user name/);
  });
});

describe("iam-revoke-sessions", () => {
  const travel = incident("impossible-travel", {
    principalType: "AssumedRole",
    principalArn: "arn:aws:sts::123456789012:assumed-role/app-role/i-0abc",
  });
  const role = {
    Role: {
      RoleName: "app-role",
      RoleId: "AROA",
      Arn: "arn:aws:iam::123456789012:role/app-role",
      Path: "/",
      CreateDate: new Date(),
    },
  };

  it("denies the role's credentials issued before now", async () => {
    aws.iam.on(GetRoleCommand).resolves(role);
    aws.iam.on(GetRolePolicyCommand).rejects(notFound());

    await runPlanned(travel, config(), { now: NOW, approved: true });

    expect(aws.inputs("PutRolePolicyCommand")).toEqual([
      {
        RoleName: "app-role",
        PolicyName: "riposte-revoke-older-sessions",
        PolicyDocument: revokeSessionsDocument(NOW),
      },
    ]);
  });

  it("is already done when a revocation at or after the incident exists", async () => {
    aws.iam.on(GetRoleCommand).resolves(role);
    aws.iam.on(GetRolePolicyCommand).resolves({
      RoleName: "app-role",
      PolicyName: "riposte-revoke-older-sessions",
      PolicyDocument: revokeSessionsDocument(new Date(INCIDENT_TIME)),
    });

    const { applied } = await runPlanned(travel, config(), { now: NOW, approved: true });

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("PutRolePolicyCommand")).toEqual([]);
  });

  it("fails on a service-linked role", async () => {
    aws.iam.on(GetRoleCommand).resolves({ Role: { ...role.Role, Path: "/aws-service-role/ecs.amazonaws.com/" } });

    const { applied } = await runPlanned(travel, config(), { now: NOW, approved: true });

    expect(applied).toMatchObject({ outcome: "failed", error: expect.stringMatching(/service-linked/) });
    expect(aws.inputs("PutRolePolicyCommand")).toEqual([]);
  });
});

describe("iam-deactivate-access-key", () => {
  const KEY = "AKIAABCDEFGHIJKLMNOP";
  const misuse = incident("access-key-anomalous-use", {
    principalType: "IAMUser",
    userName: "alice",
    accessKeyId: KEY,
  });

  it("deactivates the key on the owner IAM names", async () => {
    aws.iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: "bob" });
    aws.iam
      .on(ListAccessKeysCommand)
      .resolvesOnce({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: "Active", UserName: "bob" }] })
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: "Inactive", UserName: "bob" }] });
    aws.iam.on(GetUserCommand).resolves(user());

    const { planned, applied } = await runPlanned(misuse, config(), { approved: true });

    expect(planned.calls[0]?.params).toEqual({ UserName: "alice", AccessKeyId: KEY, Status: "Inactive" });
    expect(aws.inputs("UpdateAccessKeyCommand")).toEqual([{ UserName: "bob", AccessKeyId: KEY, Status: "Inactive" }]);
    expect(applied).toMatchObject({ outcome: "applied", after: { state: { status: "Inactive" } } });
  });

  it("leaves a key alone when IAM names a protected principal as its owner, whatever the event claimed", async () => {
    aws.iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: "break-glass-bob" });
    aws.iam
      .on(ListAccessKeysCommand)
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: "Active", UserName: "break-glass-bob" }] });
    aws.iam.on(GetUserCommand).resolves({
      User: { ...user().User, UserName: "break-glass-bob", Arn: "arn:aws:iam::123456789012:user/break-glass-bob" },
    });
    const guarded = config({ protection: { principals: ["arn:aws:iam::*:user/break-glass-*"] } });

    const { applied } = await runPlanned(misuse, guarded, { approved: true });

    expect(applied).toMatchObject({
      outcome: "skipped",
      error: expect.stringMatching(/break-glass-bob" is a protected principal .*: not changed/),
    });
    expect(aws.inputs("UpdateAccessKeyCommand")).toEqual([]);
  });

  it("never deactivates a key of an identity Riposte itself remediates as", async () => {
    aws.iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: "alice" });
    aws.iam
      .on(ListAccessKeysCommand)
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: "Active", UserName: "alice" }] });
    aws.iam.on(GetUserCommand).resolves(user());
    const own = config({ protection: { toolPrincipals: ["arn:aws:iam::123456789012:user/alice"] } });

    const { applied } = await runPlanned(misuse, own, { approved: true });

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/Riposte remediates as/) });
    expect(aws.inputs("UpdateAccessKeyCommand")).toEqual([]);
  });

  it("never deactivates a key without approval, even if the workflow asks", async () => {
    const { applied } = await runPlanned(misuse, config());

    expect(applied).toMatchObject({
      outcome: "skipped",
      error: "iam-deactivate-access-key is destructive: it runs only after approval",
    });
    expect(aws.sent()).toEqual([]);
  });

  it("is already done when the key is already Inactive", async () => {
    aws.iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: "bob" });
    aws.iam
      .on(ListAccessKeysCommand)
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: "Inactive", UserName: "bob" }] });
    aws.iam.on(GetUserCommand).resolves(user());

    const { applied } = await runPlanned(misuse, config(), { approved: true });

    expect(applied).toMatchObject({ outcome: "already-done", before: { state: { status: "Inactive" } } });
    expect(aws.inputs("UpdateAccessKeyCommand")).toEqual([]);
  });

  it("counts a deleted key as gone", async () => {
    aws.iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: "bob" });
    aws.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });

    const { applied } = await runPlanned(misuse, config(), { approved: true });

    expect(applied.outcome).toBe("gone");
  });

  it("refuses a key that IAM says belongs to root", async () => {
    aws.iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: "root" });

    const { applied } = await runPlanned(misuse, config(), { approved: true });

    expect(applied).toMatchObject({ outcome: "failed", error: expect.stringMatching(/root access keys/) });
  });
});
