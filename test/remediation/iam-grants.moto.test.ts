import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  decodePolicyDocument,
  REVOKE_SESSIONS_POLICY,
  revokedBefore,
} from "../../core/remediation/analysis/iam-policy.js";
import { explainPlan } from "../../core/remediation/policy.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { ACCOUNT, config, INCIDENT_TIME, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

/**
 * iam-remove-admin-policy and iam-restore-role-trust against moto: administrator rights granted
 * and a role opened to outsiders, then taken back once approved; the emulated account's policies
 * are read afterwards. moto does not load AWS managed policies by default, so the managed
 * AdministratorAccess here is a customer managed policy of that name in the account (the detection
 * and the action accept both: the ARN ends in `:policy/AdministratorAccess`).
 */

const ADMIN = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
const READ_ONLY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
});
const EC2 = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };
const FOREIGN = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "sts:AssumeRole" };
const trust = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const APPROVED = { approvedBy: "U0APPROVER" };

describe.skipIf(!motoAvailable())(motoSuite("IAM grant actions"), () => {
  let moto: MotoServer;
  let iam: IAMClient;
  beforeAll(async () => {
    moto = await startMoto();
    iam = new IAMClient(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => moto.reset());
  afterAll(async () => moto?.stop());

  const run = (subject: ReturnType<typeof incident>, id: string, options: { approvedBy?: string } = APPROVED) =>
    runEndToEnd({ ...subject, id }, taskDeps(config()), motoGateway(moto.endpoint), options);

  async function managedPolicy(name: string, document: string): Promise<string> {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document }));
    return Policy?.Arn as string;
  }

  it("detaches AdministratorAccess from the role and keeps its other policies; the second run is already done", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "ci-deploy", AssumeRolePolicyDocument: trust(EC2) }));
    const admin = await managedPolicy("AdministratorAccess", ADMIN);
    const readOnly = await managedPolicy("read-only", READ_ONLY);
    for (const PolicyArn of [admin, readOnly]) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: "ci-deploy", PolicyArn }));
    }
    const attached = incident("iam-admin-policy-attached", {
      eventName: "AttachRolePolicy",
      targetRoleName: "ci-deploy",
      policyArn: admin,
    });

    const result = await run(attached, "inc-admin");
    const again = await run(attached, "inc-admin-again");

    const left = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "ci-deploy" }));
    expect(admin).toBe(`arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`);
    expect(left.AttachedPolicies?.map((policy) => policy.PolicyArn)).toEqual([readOnly]);
    expect(result.actions[0]).toMatchObject({
      action: "iam-remove-admin-policy",
      outcome: "applied",
      calls: [{ operation: "DetachRolePolicy", params: { RoleName: "ci-deploy", PolicyArn: admin } }],
    });
    expect(result.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("detaches it from a group", async () => {
    await iam.send(new CreateGroupCommand({ GroupName: "admins" }));
    const admin = await managedPolicy("AdministratorAccess", ADMIN);
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "admins", PolicyArn: admin }));

    const result = await run(
      incident("iam-admin-policy-attached", {
        eventName: "AttachGroupPolicy",
        targetGroupName: "admins",
        policyArn: admin,
      }),
      "inc-group",
    );

    const left = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: "admins" }));
    expect(left.AttachedPolicies).toEqual([]);
    expect(result.verification.verified).toBe(true);
  });

  it("deletes the admin inline policy of a user, keeps its document to put back, and leaves the user's other policy", async () => {
    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "backdoor", PolicyDocument: ADMIN }));
    await iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "reads", PolicyDocument: READ_ONLY }));

    const result = await run(
      incident("iam-admin-policy-attached", {
        eventName: "PutUserPolicy",
        targetUserName: "bob",
        policyName: "backdoor",
      }),
      "inc-inline",
    );

    const left = await iam.send(new ListUserPoliciesCommand({ UserName: "bob" }));
    expect(left.PolicyNames).toEqual(["reads"]);
    const before = result.actions[0]?.before as { state: { present: boolean; document: string } };
    expect(before.state.present).toBe(true);
    expect(JSON.parse(before.state.document)).toEqual(JSON.parse(ADMIN));
    expect(result.verification.verified).toBe(true);
  });

  it("leaves the grant in place without approval", async () => {
    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "backdoor", PolicyDocument: ADMIN }));

    const result = await run(
      incident("iam-admin-policy-attached", {
        eventName: "PutUserPolicy",
        targetUserName: "bob",
        policyName: "backdoor",
      }),
      "inc-unapproved",
      {},
    );

    expect((await iam.send(new ListUserPoliciesCommand({ UserName: "bob" }))).PolicyNames).toEqual(["backdoor"]);
    expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
  });

  it("removes the foreign account's trust statement, keeps the service's, revokes the sessions; the second run is already done", async () => {
    const opened = trust(EC2, FOREIGN);
    await iam.send(new CreateRoleCommand({ RoleName: "app", AssumeRolePolicyDocument: trust(EC2) }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "app", PolicyDocument: opened }));
    const subject = incident("iam-role-trust-opened", {
      eventName: "UpdateAssumeRolePolicy",
      targetRoleName: "app",
      trustPolicy: opened,
    });

    const result = await run(subject, "inc-trust");
    const again = await run(subject, "inc-trust-again");

    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "app" }));
    expect(JSON.parse(decodePolicyDocument(Role?.AssumeRolePolicyDocument) ?? "{}").Statement).toEqual([EC2]);
    const revocation = await iam.send(
      new GetRolePolicyCommand({ RoleName: "app", PolicyName: REVOKE_SESSIONS_POLICY }),
    );
    expect(Date.parse(revokedBefore(revocation.PolicyDocument) ?? "")).toBeGreaterThan(Date.parse(INCIDENT_TIME));
    const before = result.actions[0]?.before as { state: { trustPolicy: string } };
    expect(JSON.parse(before.state.trustPolicy).Statement).toEqual([EC2, FOREIGN]);
    expect(result.actions[0]?.calls.map((call) => call.operation)).toEqual(["UpdateAssumeRolePolicy", "PutRolePolicy"]);
    expect(result.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("refuses to empty a trust policy whose every statement is open, and changes nothing", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "open", AssumeRolePolicyDocument: trust(FOREIGN) }));
    const fromEvent = (trustPolicy: string) =>
      incident("iam-role-trust-opened", { eventName: "CreateRole", targetRoleName: "open", trustPolicy });

    // The event's policy kept a service statement, the live one has none left: refused live.
    const live = await run(fromEvent(trust(EC2, FOREIGN)), "inc-open-live");
    const planned = explainPlan(fromEvent(trust(FOREIGN)), config());

    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "open" }));
    expect(JSON.parse(decodePolicyDocument(Role?.AssumeRolePolicyDocument) ?? "{}").Statement).toEqual([FOREIGN]);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "open" }))).PolicyNames).toEqual([]);
    expect(live.actions[0]).toMatchObject({
      outcome: "failed",
      calls: [],
      error: expect.stringMatching(/would leave no trust policy, which a role must have/),
    });
    expect(live.verification.verified).toBe(false);
    expect(planned.plan).toEqual([]);
    expect(planned.notes).toContainEqual(expect.stringMatching(/would leave no trust policy/));
  });
});
