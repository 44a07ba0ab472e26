import { GetRoleCommand, GetRolePolicyCommand, GetUserCommand, GetUserPolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.js";
import { removeAdminPolicy } from "../../core/remediation/actions/iam-admin-policy.js";
import {
  type AdminPolicyTarget,
  removeAdminPolicyPlanner,
} from "../../core/remediation/actions/iam-admin-policy.plan.js";
import { restoreRoleTrust } from "../../core/remediation/actions/iam-role-trust.js";
import { restoreRoleTrustPlanner } from "../../core/remediation/actions/iam-role-trust.plan.js";
import { REVOKE_SESSIONS_POLICY, revokeSessionsDocument } from "../../core/remediation/analysis/iam-policy.js";
import { createAwsGateway } from "../../core/remediation/aws/gateway.js";
import { detect, ids } from "../detections/harness.js";
import { iam } from "../fixtures/events/cloudtrail.js";
import { seededRandom } from "../support/seeded-random.js";
import { ACCOUNT, config, incident } from "./fixtures.js";
import { mockAws } from "./mock-aws.js";

/**
 * What fired and what counts as fixed agree for the IAM actions (one risk model, core/risk/): for
 * generated trust statements and identity-policy statements, the detection firing on the logged
 * call equals the plan removing something from that document and verification calling the same
 * document, read back live, not fixed. Seeded: a failure names a case that replays.
 */

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const SEED = 16;
const CASES = 80;
const TRUSTED = "111122223333";
const FOREIGN = "210987654321";
const cfg = config({ trustedAccounts: [TRUSTED] });
const NOW = new Date("2026-03-02T10:05:00Z");
const gateway = () =>
  createAwsGateway({
    aws: { maxAttempts: 1 },
    region: "us-east-1",
    logger: silentLogger,
    clientConfig: { credentials: { accessKeyId: "test", secretAccessKey: "test" } },
  });
const live = <T>(target: T, subject: ReturnType<typeof incident>) => ({
  config: cfg,
  now: NOW,
  incident: subject,
  target,
  aws: gateway(),
  logger: silentLogger,
});

function picker(next: () => number) {
  return <T>(choices: readonly T[]): T => choices[Math.floor(next() * choices.length)] as T;
}

// ---------------------------------------------------------------- role trust statements

const EC2 = { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" };

function trustStatement(pick: ReturnType<typeof picker>): Record<string, unknown> {
  const condition = pick([
    undefined,
    { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    { StringNotEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    { StringLike: { "aws:PrincipalOrgID": "o-*" } },
    { StringEqualsIfExists: { "sts:ExternalId": "x-1" } },
    { StringEquals: { "sts:ExternalId": "x-1" } },
    { StringEquals: { "aws:PrincipalAccount": FOREIGN } },
    { StringEquals: { "aws:PrincipalAccount": TRUSTED } },
  ]);
  const principal = pick<Record<string, unknown>>([
    { Principal: "*" },
    { Principal: { AWS: "*" } },
    { Principal: { AWS: ["*"] } },
    { Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` } },
    { Principal: { AWS: FOREIGN } },
    { Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` } },
    { Principal: { AWS: `arn:aws:iam::${TRUSTED}:root` } },
    { Principal: { Service: "lambda.amazonaws.com" } },
    { Principal: { Federated: "cognito-identity.amazonaws.com" } },
    { NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } },
  ]);
  const action = pick<Record<string, unknown>>([
    { Action: "sts:AssumeRole" },
    { Action: "sts:*" },
    { Action: "*" },
    { Action: ["sts:TagSession", "sts:AssumeRoleWith*"] },
    { Action: "sts:TagSession" },
    { Action: "iam:*" },
    { NotAction: "sts:AssumeRole" },
    { NotAction: "iam:*" },
  ]);
  return {
    Effect: pick(["Allow", "Allow", "Allow", "Deny"]),
    ...principal,
    ...action,
    ...(condition ? { Condition: condition } : {}),
  };
}

const trustDocument = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [EC2, statement] });
const opened = (trustPolicy: string) =>
  incident("iam-role-trust-opened", { eventName: "UpdateAssumeRolePolicy", targetRoleName: "app", trustPolicy });

async function trustFires(document: string): Promise<boolean> {
  const record = iam("UpdateAssumeRolePolicy", { roleName: "app", policyDocument: document });
  return ids(await detect([record], { config: cfg })).includes("iam-role-trust-opened");
}

function trustPlanRemoves(document: string): boolean {
  const subject = opened(document);
  const calls = restoreRoleTrustPlanner.plan({
    config: cfg,
    now: NOW,
    incident: subject,
    target: { roleName: "app" },
    state: { trustPolicy: document, revokedBefore: "2030-01-01T00:00:00Z" },
  });
  return calls.some((call) => call.operation === "UpdateAssumeRolePolicy");
}

async function trustStillOpenLive(document: string): Promise<boolean> {
  aws.reset();
  aws.iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: "app",
      RoleId: "AROA",
      Arn: `arn:aws:iam::${ACCOUNT}:role/app`,
      Path: "/",
      CreateDate: NOW,
      AssumeRolePolicyDocument: encodeURIComponent(document),
    },
  });
  aws.iam.on(GetRolePolicyCommand).resolves({
    RoleName: "app",
    PolicyName: REVOKE_SESSIONS_POLICY,
    PolicyDocument: revokeSessionsDocument(NOW),
  });
  const checks = await restoreRoleTrust.verify(live({ roleName: "app" }, opened(document)));
  const check = checks.find((c) => c.name === "no trust statement opens the role to outsiders");
  if (!check) throw new Error(`no trust check among ${JSON.stringify(checks)}`);
  return !check.ok;
}

// ---------------------------------------------------------------- identity-policy statements

function identityStatement(pick: ReturnType<typeof picker>): Record<string, unknown> {
  return {
    Effect: pick(["Allow", "Allow", "Deny"]),
    ...pick<Record<string, unknown>>([
      { Action: "*" },
      { Action: "*:*" },
      { Action: ["s3:GetObject", "*"] },
      { Action: "s3:*" },
      { Action: "iam:*" },
      { NotAction: "iam:*" },
    ]),
    Resource: pick(["*", ["arn:aws:s3:::b", "*"], "arn:aws:s3:::b", "arn:aws:iam::*:role/*"]),
  };
}

const adminTarget: AdminPolicyTarget = { kind: "user", name: "bob", policyName: "p" };
const put = incident("iam-admin-policy-attached", {
  eventName: "PutUserPolicy",
  targetUserName: "bob",
  policyName: "p",
});
const identityDocument = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

async function adminFires(document: string): Promise<boolean> {
  const record = iam("PutUserPolicy", { userName: "bob", policyName: "p", policyDocument: document });
  return ids(await detect([record], { config: cfg })).includes("iam-admin-policy-attached");
}

function adminPlanRemoves(document: string): boolean {
  const calls = removeAdminPolicyPlanner.plan({
    config: cfg,
    now: NOW,
    incident: put,
    target: adminTarget,
    state: { present: true, document },
  });
  return calls.length > 0;
}

async function adminStillGrantedLive(document: string): Promise<boolean> {
  aws.reset();
  aws.iam.on(GetUserCommand).resolves({
    User: { UserName: "bob", UserId: "AIDA", Arn: `arn:aws:iam::${ACCOUNT}:user/bob`, Path: "/", CreateDate: NOW },
  });
  aws.iam.on(GetUserPolicyCommand).resolves({ UserName: "bob", PolicyName: "p", PolicyDocument: document });
  const [check] = await removeAdminPolicy.verify(live(adminTarget, put));
  if (!check) throw new Error("no verification check");
  return !check.ok;
}

describe("IAM: what fired and what counts as fixed agree", () => {
  it(`role trust: detection, plan and verification judge ${CASES} generated statements alike (seed ${SEED})`, async () => {
    const pick = picker(seededRandom(SEED));
    const verdicts = { open: 0, closed: 0 };
    for (let i = 0; i < CASES; i++) {
      const statement = trustStatement(pick);
      const document = trustDocument(statement);

      const fired = await trustFires(document);
      const removed = trustPlanRemoves(document);
      const stillOpen = await trustStillOpenLive(document);

      const which = `case ${i}: ${JSON.stringify(statement)}`;
      expect(removed, which).toBe(fired);
      expect(stillOpen, which).toBe(fired);
      verdicts[fired ? "open" : "closed"] += 1;
    }
    // Both answers occur, so the agreement is not the same answer every time.
    expect(verdicts.open).toBeGreaterThan(10);
    expect(verdicts.closed).toBeGreaterThan(10);
  });

  it(`admin inline policy: detection, plan and verification judge ${CASES} generated statements alike (seed ${SEED})`, async () => {
    const pick = picker(seededRandom(SEED + 1));
    const verdicts = { admin: 0, other: 0 };
    for (let i = 0; i < CASES; i++) {
      const statement = identityStatement(pick);
      const document = identityDocument(statement);

      const fired = await adminFires(document);
      const removed = adminPlanRemoves(document);
      const stillGranted = await adminStillGrantedLive(document);

      const which = `case ${i}: ${JSON.stringify(statement)}`;
      expect(removed, which).toBe(fired);
      expect(stillGranted, which).toBe(fired);
      verdicts[fired ? "admin" : "other"] += 1;
    }
    expect(verdicts.admin).toBeGreaterThan(10);
    expect(verdicts.other).toBeGreaterThan(10);
  });
});
