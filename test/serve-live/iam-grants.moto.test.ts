import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Incident } from "../../core/model/incident.js";
import {
  decodePolicyDocument,
  REVOKE_SESSIONS_POLICY,
  revokedBefore,
} from "../../core/remediation/analysis/iam-policy.js";
import { ACCOUNT } from "../fixtures/events/cloudtrail.js";
import { IDENTITY_SCENARIOS } from "../fixtures/events/scenarios/identity.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { now, type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * IAM grants, end to end: AdministratorAccess attached to a user and to a role, an inline allow-all
 * policy put on a user, and a role's trust policy opened to a foreign account's root, in the
 * emulated account; the identity scenarios' records go to `riposte serve --remediate live` in one
 * delivery; each incident waits for approval and is approved through the dashboard's API; once
 * MITIGATED, AdministratorAccess and the inline policy are gone (the entities' other policies
 * kept), and the role trusts only EC2 again and carries the policy revoking older sessions.
 * moto does not load AWS managed policies by default: AdministratorAccess here is a customer managed
 * policy of that name in the account (the detection and the action take any ARN ending in
 * `:policy/AdministratorAccess`), and the scenario records' AWS managed ARN is swapped for it.
 */

const AWS_MANAGED_ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
/** The scenarios' entities: the user and the role given AdministratorAccess, the user given an inline policy, the role opened. */
const USER = "malicious-iam-user";
const ADMIN_ROLE = "backdoor";
const INLINE_USER = "bob";
/** The inline role policy scenario's role ("backdoor", renamed: that name is the attached scenario's), and the group's. */
const INLINE_ROLE = "backdoor-inline";
const INLINE_GROUP = "ops";
const ROLE = "ec2-role";
const FOREIGN = "193672423079";
const document = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const allow = (Action: string) => ({ Effect: "Allow", Action, Resource: "*" });
const EC2 = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };
const OPENED = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: "sts:AssumeRole" };

describe.skipIf(!motoAvailable())(motoSuite("riposte serve --remediate live: IAM grant actions"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let iam: IAMClient;
  let admin: string;
  let readOnly: string;
  let deliveredAt: string;
  /** Each incident, by resource, approved through the dashboard's API once it waited for approval. */
  const approved = new Map<string, Incident>();

  beforeAll(async () => {
    live = await startServeLive();
    iam = new IAMClient(live.aws());

    // Arrange: administrator rights for the users and a role, and a role opened to a foreign account…
    const policy = async (PolicyName: string, Action: string) =>
      (await iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument: document(allow(Action)) }))).Policy!.Arn!;
    admin = await policy("AdministratorAccess", "*");
    readOnly = await policy("read-only", "s3:GetObject");
    await iam.send(new CreateUserCommand({ UserName: USER }));
    for (const PolicyArn of [readOnly, admin]) {
      await iam.send(new AttachUserPolicyCommand({ UserName: USER, PolicyArn }));
    }
    await iam.send(new CreateRoleCommand({ RoleName: ADMIN_ROLE, AssumeRolePolicyDocument: document(EC2) }));
    for (const PolicyArn of [admin, readOnly]) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: ADMIN_ROLE, PolicyArn }));
    }
    await iam.send(new CreateUserCommand({ UserName: INLINE_USER }));
    await iam.send(
      new PutUserPolicyCommand({ UserName: INLINE_USER, PolicyName: "full", PolicyDocument: document(allow("*")) }),
    );
    await iam.send(
      new PutUserPolicyCommand({
        UserName: INLINE_USER,
        PolicyName: "reads",
        PolicyDocument: document(allow("s3:GetObject")),
      }),
    );
    await iam.send(new CreateRoleCommand({ RoleName: INLINE_ROLE, AssumeRolePolicyDocument: document(EC2) }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: INLINE_ROLE,
        PolicyName: "AdminAccess",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: { Effect: "Allow", Action: ["*:*"], Resource: ["*"] },
        }),
      }),
    );
    await iam.send(new CreateGroupCommand({ GroupName: INLINE_GROUP }));
    await iam.send(
      new PutGroupPolicyCommand({
        GroupName: INLINE_GROUP,
        PolicyName: "ops",
        PolicyDocument: document(allow("s3:ListAllMyBuckets"), {
          Sid: "Everything",
          Effect: "Allow",
          Action: ["ec2:Describe*", "*"],
          Resource: ["arn:aws:s3:::logs", "*"],
        }),
      }),
    );
    await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: document(EC2) }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: ROLE, PolicyDocument: document(EC2, OPENED) }));

    // …and the scenarios' records, in one delivery.
    deliveredAt = now();
    const ids = { [AWS_MANAGED_ADMIN]: admin };
    const attached = (name: string) => scenarioRecords(IDENTITY_SCENARIOS, "iam-admin-policy-attached", name, ids);
    await live.deliver(
      ...attached("AdministratorAccess attached to a new user"),
      ...attached("AdministratorAccess attached to a role"),
      ...attached("inline user policy allowing * on *"),
      ...scenarioRecords(
        IDENTITY_SCENARIOS,
        "iam-admin-policy-attached",
        "inline role policy with one Statement object, *:* and Resource in a list",
        { backdoor: INLINE_ROLE },
      ),
      ...attached("inline group policy with * among other actions"),
      ...scenarioRecords(
        IDENTITY_SCENARIOS,
        "iam-role-trust-opened",
        "trust policy updated to add a foreign account's root",
      ),
    );

    // An IAM grant taken back waits for a person: each is approved through the dashboard's API.
    const waiting: [string, string][] = [
      ["iam-admin-policy-attached", USER],
      ["iam-admin-policy-attached", ADMIN_ROLE],
      ["iam-admin-policy-attached", INLINE_USER],
      ["iam-admin-policy-attached", INLINE_ROLE],
      ["iam-admin-policy-attached", INLINE_GROUP],
      ["iam-role-trust-opened", ROLE],
    ];
    for (const [detection, resource] of waiting) {
      const incident = await live.settle(detection, ["AWAITING_APPROVAL", "FAILED"], resource);
      expect(incident.status).toBe("AWAITING_APPROVAL");
      await live.approve(incident.id);
      approved.set(resource, incident);
    }
  }, 120_000);
  afterAll(async () => {
    iam?.destroy();
    await live?.stop();
  });

  /** The approved incident on `resource`, once MITIGATED live by `action`. */
  async function mitigated(detection: string, resource: string, action: string): Promise<Incident> {
    const incident = await live.settle(detection, ["MITIGATED", "FAILED"], resource);
    expect(incident).toMatchObject({ id: approved.get(resource)?.id, status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([{ action, outcome: "applied" }]);
    return incident;
  }

  it("iam-admin-policy-attached → approved iam-remove-admin-policy detaches AdministratorAccess from the user, keeps the other policy", async () => {
    const incident = await mitigated("iam-admin-policy-attached", USER, "iam-remove-admin-policy");

    expect(admin).toBe(`arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`);
    expect(incident.actions[0]?.calls).toMatchObject([
      { operation: "DetachUserPolicy", params: { UserName: USER, PolicyArn: admin } },
    ]);
    const left = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: USER }));
    expect(left.AttachedPolicies?.map((attached) => attached.PolicyArn)).toEqual([readOnly]);
  });

  it("iam-admin-policy-attached → approved iam-remove-admin-policy detaches AdministratorAccess from the role", async () => {
    const incident = await mitigated("iam-admin-policy-attached", ADMIN_ROLE, "iam-remove-admin-policy");

    expect(incident.actions[0]?.calls).toMatchObject([
      { operation: "DetachRolePolicy", params: { RoleName: ADMIN_ROLE, PolicyArn: admin } },
    ]);
    const left = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ADMIN_ROLE }));
    expect(left.AttachedPolicies?.map((attached) => attached.PolicyArn)).toEqual([readOnly]);
  });

  it("iam-admin-policy-attached → approved iam-remove-admin-policy deletes the inline allow-all policy, keeps the other", async () => {
    const incident = await mitigated("iam-admin-policy-attached", INLINE_USER, "iam-remove-admin-policy");

    expect(incident.actions[0]?.calls).toMatchObject([
      { operation: "DeleteUserPolicy", params: { UserName: INLINE_USER, PolicyName: "full" } },
    ]);
    const left = await iam.send(new ListUserPoliciesCommand({ UserName: INLINE_USER }));
    expect(left.PolicyNames).toEqual(["reads"]);
  });

  it("iam-admin-policy-attached → approved iam-remove-admin-policy deletes an inline role policy of one Statement object", async () => {
    const incident = await mitigated("iam-admin-policy-attached", INLINE_ROLE, "iam-remove-admin-policy");

    expect(incident.actions[0]?.calls).toMatchObject([
      { operation: "DeleteRolePolicy", params: { RoleName: INLINE_ROLE, PolicyName: "AdminAccess" } },
    ]);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: INLINE_ROLE }))).PolicyNames).toEqual([]);
  });

  it("iam-admin-policy-attached → approved iam-remove-admin-policy deletes the group's inline policy granting *", async () => {
    const incident = await mitigated("iam-admin-policy-attached", INLINE_GROUP, "iam-remove-admin-policy");

    expect(incident.actions[0]?.calls).toMatchObject([
      { operation: "DeleteGroupPolicy", params: { GroupName: INLINE_GROUP, PolicyName: "ops" } },
    ]);
    expect((await iam.send(new ListGroupPoliciesCommand({ GroupName: INLINE_GROUP }))).PolicyNames).toEqual([]);
  });

  it("iam-role-trust-opened → approved iam-restore-role-trust drops the foreign statement and revokes older sessions", async () => {
    await mitigated("iam-role-trust-opened", ROLE, "iam-restore-role-trust");

    const { Role } = await iam.send(new GetRoleCommand({ RoleName: ROLE }));
    expect(JSON.parse(decodePolicyDocument(Role?.AssumeRolePolicyDocument) ?? "{}").Statement).toEqual([EC2]);
    const revocation = await iam.send(new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: REVOKE_SESSIONS_POLICY }));
    // Sessions issued before the fix are refused: the cut-off is no earlier than the change logged.
    expect(Date.parse(revokedBefore(revocation.PolicyDocument) ?? "")).toBeGreaterThanOrEqual(Date.parse(deliveredAt));
  });
});
