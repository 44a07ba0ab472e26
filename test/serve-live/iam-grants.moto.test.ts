import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
 * IAM grants, end to end: AdministratorAccess attached to a user, and a role's trust policy opened
 * to a foreign account's root, in the emulated account; the identity scenarios' records go to
 * `riposte serve --remediate live` in one delivery; both incidents wait for approval, are approved
 * through the dashboard's API, and once MITIGATED the user has lost AdministratorAccess (and kept
 * its other policy), the role trusts only EC2 again and carries the policy revoking older sessions.
 * moto does not load AWS managed policies by default: AdministratorAccess here is a customer managed
 * policy of that name in the account (the detection and the action take any ARN ending in
 * `:policy/AdministratorAccess`), and the scenario record's AWS managed ARN is swapped for it.
 */

const AWS_MANAGED_ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const USER = "malicious-iam-user";
const ROLE = "ec2-role";
const FOREIGN = "193672423079";
const document = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const EC2 = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };
const OPENED = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: "sts:AssumeRole" };

describe.skipIf(!motoAvailable())(motoSuite("riposte serve --remediate live: IAM grant actions"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let iam: IAMClient;
  let admin: string;
  let readOnly: string;
  let deliveredAt: string;

  beforeAll(async () => {
    live = await startServeLive();
    iam = new IAMClient(live.aws());

    // Arrange: administrator rights for the user and the role opened to a foreign account…
    const policy = async (PolicyName: string, Action: string) =>
      (
        await iam.send(
          new CreatePolicyCommand({ PolicyName, PolicyDocument: document({ Effect: "Allow", Action, Resource: "*" }) }),
        )
      ).Policy!.Arn!;
    admin = await policy("AdministratorAccess", "*");
    readOnly = await policy("read-only", "s3:GetObject");
    await iam.send(new CreateUserCommand({ UserName: USER }));
    for (const PolicyArn of [readOnly, admin])
      await iam.send(new AttachUserPolicyCommand({ UserName: USER, PolicyArn }));
    await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: document(EC2) }));
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: ROLE, PolicyDocument: document(EC2, OPENED) }));

    // …and the scenarios' records, in one delivery.
    deliveredAt = now();
    await live.deliver(
      ...scenarioRecords(
        IDENTITY_SCENARIOS,
        "iam-admin-policy-attached",
        "AdministratorAccess attached to a new user",
        {
          [AWS_MANAGED_ADMIN]: admin,
        },
      ),
      ...scenarioRecords(
        IDENTITY_SCENARIOS,
        "iam-role-trust-opened",
        "trust policy updated to add a foreign account's root",
      ),
    );
  });
  afterAll(async () => {
    iam?.destroy();
    await live?.stop();
  });

  it("iam-admin-policy-attached → approved iam-remove-admin-policy detaches AdministratorAccess, keeps the other policy", async () => {
    const waiting = await live.settle("iam-admin-policy-attached", ["AWAITING_APPROVAL", "FAILED"], USER);
    expect(waiting.status).toBe("AWAITING_APPROVAL");
    await live.approve(waiting.id);

    const incident = await live.settle("iam-admin-policy-attached", ["MITIGATED", "FAILED"], USER);

    expect(admin).toBe(`arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`);
    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([
      {
        action: "iam-remove-admin-policy",
        outcome: "applied",
        calls: [{ operation: "DetachUserPolicy", params: { UserName: USER, PolicyArn: admin } }],
      },
    ]);
    const left = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: USER }));
    expect(left.AttachedPolicies?.map((attached) => attached.PolicyArn)).toEqual([readOnly]);
  });

  it("iam-role-trust-opened → approved iam-restore-role-trust drops the foreign statement and revokes older sessions", async () => {
    const waiting = await live.settle("iam-role-trust-opened", ["AWAITING_APPROVAL", "FAILED"], ROLE);
    expect(waiting.status).toBe("AWAITING_APPROVAL");
    await live.approve(waiting.id);

    const incident = await live.settle("iam-role-trust-opened", ["MITIGATED", "FAILED"], ROLE);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([{ action: "iam-restore-role-trust", outcome: "applied" }]);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: ROLE }));
    expect(JSON.parse(decodePolicyDocument(Role?.AssumeRolePolicyDocument) ?? "{}").Statement).toEqual([EC2]);
    const revocation = await iam.send(new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: REVOKE_SESSIONS_POLICY }));
    const before = revokedBefore(revocation.PolicyDocument);
    // Sessions issued before the fix are refused: the cut-off is no earlier than the change logged.
    expect(Date.parse(before ?? "")).toBeGreaterThanOrEqual(Date.parse(deliveredAt));
  });
});
