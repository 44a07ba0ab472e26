import {
  GetRoleCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { iam, identity } from "../../../test/fixtures/events/cloudtrail.js";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";
import { parseConfig } from "../../config/load.js";
import { findingFromEvent } from "../../detections/stateless.js";
import { normalizeRecords } from "../../events/index.js";
import { revokeSessionsDocument } from "../analysis/iam-policy.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const EC2 = { Sid: "Ec2", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };
const ANYONE = { Sid: "Anyone", Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" };
const FOREIGN = {
  Sid: "Foreign",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::210987654321:root" },
  Action: "sts:AssumeRole",
};
const PARTNER = { Sid: "Partner", Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "sts:AssumeRole" };
const PINNED = {
  Sid: "Org",
  Effect: "Allow",
  Principal: "*",
  Action: "sts:AssumeRole",
  Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
};
const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const opened = (trustPolicy = policy(EC2, ANYONE)) =>
  incident("iam-role-trust-opened", {
    eventName: "UpdateAssumeRolePolicy",
    targetRoleName: "app",
    trustPolicy,
  });
const role = (trust: string, path = "/", tags: { Key: string; Value: string }[] = []) => ({
  Role: {
    RoleName: "app",
    RoleId: "AROA",
    Arn: `arn:aws:iam::123456789012:role${path}app`,
    Path: path,
    CreateDate: new Date(),
    AssumeRolePolicyDocument: encodeURIComponent(trust),
    Tags: tags,
  },
});
/** The session revocation run-action's clock (10:05) writes: five minutes on, while IAM applies the change. */
const REVOCATION = revokeSessionsDocument(new Date("2026-03-02T10:10:00Z"));
const approved = { approved: true };

describe("iam-restore-role-trust: plan", () => {
  it("removes the open statement, keeps the rest and the policy's keys, then revokes sessions", () => {
    const plan = staticPlan("iam-restore-role-trust", opened());

    expect(plan).toMatchObject({ ok: true, planned: { target: "trust policy of role app", destructive: true } });
    expect(plan.ok && plan.planned.calls).toEqual([
      {
        service: "iam",
        operation: "UpdateAssumeRolePolicy",
        params: { RoleName: "app", PolicyDocument: policy(EC2) },
        region: "us-east-1",
      },
      {
        service: "iam",
        operation: "PutRolePolicy",
        params: { RoleName: "app", PolicyName: "riposte-revoke-older-sessions", PolicyDocument: REVOCATION },
        region: "us-east-1",
      },
    ]);
  });

  it("removes a foreign account's statement but keeps a trusted account's and an org-pinned wildcard", () => {
    const trust = policy(FOREIGN, PARTNER, PINNED, EC2);

    const plan = staticPlan("iam-restore-role-trust", opened(trust), config({ trustedAccounts: ["111122223333"] }));

    expect(plan.ok && plan.planned.calls[0]?.params).toEqual({
      RoleName: "app",
      PolicyDocument: policy(PARTNER, PINNED, EC2),
    });
  });

  it("refuses, rather than write an empty trust policy, when every statement opens the role", () => {
    expect(staticPlan("iam-restore-role-trust", opened(policy(ANYONE, FOREIGN)))).toEqual({
      ok: false,
      note: expect.stringMatching(/would leave no trust policy, which a role must have/),
    });
  });

  it("refuses a trust policy it cannot read", () => {
    expect(staticPlan("iam-restore-role-trust", opened("{not json"))).toEqual({
      ok: false,
      note: expect.stringMatching(/cannot be read .*review it by hand/),
    });
  });

  it("marks the document as a live value when the facts carry no trust policy", () => {
    const withoutPolicy = staticPlan(
      "iam-restore-role-trust",
      incident("iam-role-trust-opened", { eventName: "CreateRole", targetRoleName: "app" }),
    );

    expect(withoutPolicy.ok && withoutPolicy.planned.calls[0]?.params.PolicyDocument).toEqual({
      $live: "GetRole.Role.AssumeRolePolicyDocument without its open statements",
    });
  });

  it.each([
    ["no role", { targetRoleName: undefined }, /no valid IAM role/],
    ["only the actor's role", { targetRoleName: undefined, roleName: "app" }, /no valid IAM role/],
    ["an odd role name", { targetRoleName: "app/../x" }, /no valid IAM role/],
    ["a service-linked role", { targetRoleName: "AWSServiceRoleForSupport" }, /service-linked/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("iam-restore-role-trust", incident("iam-role-trust-opened", facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });
});

describe("iam-restore-role-trust: loop prevention", () => {
  it("its own writes, logged from any actor, fire neither IAM detection again", () => {
    const plan = staticPlan("iam-restore-role-trust", opened(policy(EC2, ANYONE, FOREIGN)));
    const calls = plan.ok ? plan.planned.calls : [];
    const logged = (actor: "riposte" | "alice") =>
      calls.map((call) => {
        const { RoleName, PolicyName, PolicyDocument } = call.params as Record<string, string>;
        const request = {
          roleName: RoleName,
          policyDocument: PolicyDocument,
          ...(PolicyName ? { policyName: PolicyName } : {}),
        };
        const who = actor === "riposte" ? identity.riposte() : identity.user("alice");
        return iam(call.operation, request, null, { user: who });
      });

    const findings = [...logged("riposte"), ...logged("alice")].flatMap((record) =>
      (["iam-role-trust-opened", "iam-admin-policy-attached"] as const).map((detection) =>
        findingFromEvent(detection, normalizeRecords(record).events[0]!.envelope, parseConfig({})),
      ),
    );

    const control = iam("UpdateAssumeRolePolicy", { roleName: "app", policyDocument: policy(EC2, ANYONE) }, null, {
      user: identity.user("alice"),
    });

    expect(calls.map((call) => call.operation)).toEqual(["UpdateAssumeRolePolicy", "PutRolePolicy"]);
    expect(findings.filter(Boolean)).toEqual([]);
    expect(
      findingFromEvent("iam-role-trust-opened", normalizeRecords(control).events[0]!.envelope, parseConfig({})),
    ).toBeDefined();
  });
});

describe("iam-restore-role-trust: live", () => {
  it("writes the live trust policy without its open statements, revokes sessions, keeps the old policy, and verifies", async () => {
    const live = policy(EC2, FOREIGN);
    aws.iam
      .on(GetRoleCommand)
      .resolvesOnce(role(live, "/", [{ Key: "team", Value: "app" }]))
      .resolves(role(policy(EC2)));
    aws.iam
      .on(GetRolePolicyCommand)
      .rejectsOnce(awsError("NoSuchEntity"))
      .resolves({ PolicyDocument: encodeURIComponent(REVOCATION) });

    const { applied, verification } = await remediateAndVerify(
      "iam-restore-role-trust",
      opened(policy(EC2, ANYONE)),
      config(),
      approved,
    );

    expect(aws.inputs("UpdateAssumeRolePolicyCommand")).toEqual([{ RoleName: "app", PolicyDocument: policy(EC2) }]);
    expect(aws.inputs("PutRolePolicyCommand")).toEqual([
      { RoleName: "app", PolicyName: "riposte-revoke-older-sessions", PolicyDocument: REVOCATION },
    ]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { source: "live", state: { trustPolicy: live }, tags: [{ team: "app" }] },
    });
    expect(verification).toMatchObject({
      verified: true,
      checks: [expect.objectContaining({ ok: true }), expect.objectContaining({ ok: true })],
    });
  });

  it("is already done when the trust is closed and the sessions revoked", async () => {
    aws.iam.on(GetRoleCommand).resolves(role(policy(EC2)));
    aws.iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: REVOCATION });

    const { applied } = await remediateAndVerify("iam-restore-role-trust", opened(), config(), approved);

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("UpdateAssumeRolePolicyCommand")).toEqual([]);
    expect(aws.inputs("PutRolePolicyCommand")).toEqual([]);
  });

  it("still revokes sessions when someone already closed the trust", async () => {
    aws.iam.on(GetRoleCommand).resolves(role(policy(EC2)));
    aws.iam.on(GetRolePolicyCommand).rejects(awsError("NoSuchEntity"));

    const { applied } = await remediateAndVerify("iam-restore-role-trust", opened(), config(), approved);

    expect(applied.outcome).toBe("applied");
    expect(aws.inputs("UpdateAssumeRolePolicyCommand")).toEqual([]);
    expect(aws.inputs("PutRolePolicyCommand")).toHaveLength(1);
  });

  it("fails, sending nothing, when every live statement opens the role", async () => {
    aws.iam.on(GetRoleCommand).resolves(role(policy(ANYONE)));
    aws.iam.on(GetRolePolicyCommand).rejects(awsError("NoSuchEntity"));

    const { applied } = await remediateAndVerify("iam-restore-role-trust", opened(), config(), approved);

    expect(applied).toMatchObject({ outcome: "failed", error: expect.stringMatching(/no trust policy/) });
    expect(aws.inputs("UpdateAssumeRolePolicyCommand")).toEqual([]);
    expect(aws.inputs("PutRolePolicyCommand")).toEqual([]);
  });

  it("fails verification when an open statement is still there", async () => {
    aws.iam.on(GetRoleCommand).resolves(role(policy(EC2, ANYONE)));
    aws.iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: REVOCATION });
    aws.iam.on(UpdateAssumeRolePolicyCommand).resolves({});
    aws.iam.on(PutRolePolicyCommand).resolves({});

    const { verification } = await remediateAndVerify("iam-restore-role-trust", opened(), config(), approved);

    expect(verification).toMatchObject({
      verified: false,
      checks: expect.arrayContaining([expect.objectContaining({ ok: false, detail: "1 opening statement(s) of 2" })]),
    });
  });

  it("counts a deleted role as gone", async () => {
    aws.iam.on(GetRoleCommand).rejects(awsError("NoSuchEntity"));

    const { applied } = await remediateAndVerify("iam-restore-role-trust", opened(), config(), approved);

    expect(applied.outcome).toBe("gone");
  });

  it("leaves a protected role and Riposte's own role alone", async () => {
    aws.iam.on(GetRoleCommand).resolves(role(policy(EC2, ANYONE), "/", [{ Key: "riposte:protect", Value: "true" }]));
    const tagged = await remediateAndVerify("iam-restore-role-trust", opened(), config(), approved);
    aws.iam.on(GetRoleCommand).resolves({
      Role: { ...role(policy(EC2, ANYONE)).Role, Arn: "arn:aws:iam::123456789012:role/riposte-remediation" },
    });
    const own = await remediateAndVerify("iam-restore-role-trust", opened(), config(), approved);

    expect(tagged.applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/protected/) });
    expect(own.applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/Riposte's own role/) });
    expect(aws.inputs("UpdateAssumeRolePolicyCommand")).toEqual([]);
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify("iam-restore-role-trust", opened());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(aws.sent()).toEqual([]);
  });
});
