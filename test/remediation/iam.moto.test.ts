import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  TagUserCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decodePolicyDocument } from "../../core/remediation/analysis/iam-policy.js";
import { sweepExpiredChanges } from "../../core/remediation/sweep.js";
import { MemoryActionLedger } from "../../core/store/memory-ledger.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../support/moto.js";
import { config, INCIDENT_TIME, incident, REGION } from "./fixtures.js";
import { motoGateway, motoSuite, runEndToEnd, taskDeps } from "./harness.js";

const trustPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

function statementOf(document: string | undefined) {
  return JSON.parse(decodePolicyDocument(document) ?? "{}").Statement[0];
}

describe.skipIf(!motoAvailable())(motoSuite("IAM actions"), () => {
  let moto: MotoServer;
  let iam: IAMClient;
  beforeAll(async () => {
    moto = await startMoto();
    iam = new IAMClient(motoClientConfig(moto.endpoint, REGION));
  });
  beforeEach(async () => {
    await moto.reset();
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
  });
  afterAll(async () => moto?.stop());

  it("denies a brute-forced user for 30 minutes, then the sweep removes the expired policy", async () => {
    const ledger = new MemoryActionLedger();
    const start = new Date();
    const deps = taskDeps(config(), { ledger, now: () => start });
    const gateway = motoGateway(moto.endpoint);

    const result = await runEndToEnd(
      incident("console-login-brute-force", { principalType: "IAMUser", userName: "alice" }),
      deps,
      gateway,
    );

    const { PolicyDocument } = await iam.send(
      new GetUserPolicyCommand({ UserName: "alice", PolicyName: "riposte-temporary-deny" }),
    );
    const statement = statementOf(PolicyDocument);
    expect(statement).toMatchObject({ Effect: "Deny", Action: "*", Resource: "*" });
    const until = Date.parse(statement.Condition.DateLessThan["aws:CurrentTime"]);
    expect(until - start.getTime()).toBeGreaterThan(29 * 60_000);
    expect(until - start.getTime()).toBeLessThanOrEqual(30 * 60_000);
    expect(result.verification.verified).toBe(true);

    const early = await sweepExpiredChanges(
      { ...deps, now: () => new Date(start.getTime() + 10 * 60_000) },
      { gateway },
    );
    const late = await sweepExpiredChanges({ ...deps, now: () => new Date(until + 1000) }, { gateway });

    expect(early.removed).toEqual([]);
    expect(late.removed).toHaveLength(1);
    await expect(
      iam.send(new GetUserPolicyCommand({ UserName: "alice", PolicyName: "riposte-temporary-deny" })),
    ).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });

  it("revokes a role's sessions issued before now", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "app-role", AssumeRolePolicyDocument: trustPolicy }));

    const result = await runEndToEnd(
      incident("impossible-travel", { principalType: "AssumedRole", roleName: "app-role" }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
      { approvedBy: "U0APPROVER" },
    );

    const { PolicyDocument } = await iam.send(
      new GetRolePolicyCommand({ RoleName: "app-role", PolicyName: "riposte-revoke-older-sessions" }),
    );
    const statement = statementOf(PolicyDocument);
    expect(statement).toMatchObject({ Effect: "Deny", Action: "*", Resource: "*" });
    expect(Date.parse(statement.Condition.DateLessThan["aws:TokenIssueTime"])).toBeGreaterThan(
      Date.parse(INCIDENT_TIME),
    );
    expect(result.verification.verified).toBe(true);
  });

  it("deactivates the access key of its real owner, and only that key", async () => {
    const suspect = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    const other = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    const keyId = suspect.AccessKey?.AccessKeyId as string;

    const result = await runEndToEnd(
      incident("access-key-anomalous-use", { principalType: "IAMUser", userName: "someone-else", accessKeyId: keyId }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
      { approvedBy: "U0APPROVER" },
    );

    const keys = await iam.send(new ListAccessKeysCommand({ UserName: "alice" }));
    const status = Object.fromEntries((keys.AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]));
    expect(status).toEqual({ [keyId]: "Inactive", [other.AccessKey?.AccessKeyId as string]: "Active" });
    expect(result.actions[0]?.calls[0]?.params).toEqual({ UserName: "alice", AccessKeyId: keyId, Status: "Inactive" });
    expect(result.verification.verified).toBe(true);
  });

  it("leaves the key active when nobody approved its deactivation", async () => {
    const suspect = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    const keyId = suspect.AccessKey?.AccessKeyId as string;

    const result = await runEndToEnd(
      incident("access-key-anomalous-use", { principalType: "IAMUser", userName: "alice", accessKeyId: keyId }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    const keys = await iam.send(new ListAccessKeysCommand({ UserName: "alice" }));
    expect(keys.AccessKeyMetadata?.[0]?.Status).toBe("Active");
    expect(result.actions[0]).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(result.verification.verified).toBe(false);
  });

  it("deactivates every active key of a user AWS quarantined, once approved, and is already done the second time", async () => {
    const first = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    const second = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    const bobs = await iam.send(new CreateAccessKeyCommand({ UserName: "bob" }));
    const quarantined = (id: string) => ({
      ...incident("iam-key-quarantined", {
        eventName: "AttachUserPolicy",
        policyArn: "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3",
        targetUserName: "alice",
      }),
      id,
    });
    const run = (id: string) =>
      runEndToEnd(quarantined(id), taskDeps(config()), motoGateway(moto.endpoint), { approvedBy: "U0APPROVER" });

    const result = await run("inc-quarantine");
    const again = await run("inc-quarantine-again");

    const statusOf = async (userName: string) =>
      Object.fromEntries(
        ((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).map((k) => [
          k.AccessKeyId,
          k.Status,
        ]),
      );
    expect(await statusOf("alice")).toEqual({
      [first.AccessKey?.AccessKeyId as string]: "Inactive",
      [second.AccessKey?.AccessKeyId as string]: "Inactive",
    });
    expect(await statusOf("bob")).toEqual({ [bobs.AccessKey?.AccessKeyId as string]: "Active" });
    expect(result.actions[0]).toMatchObject({ action: "iam-deactivate-user-keys", outcome: "applied" });
    expect(result.actions[0]?.calls.map((call) => call.params)).toEqual(
      [first, second].map((key) => ({
        UserName: "alice",
        AccessKeyId: key.AccessKey?.AccessKeyId,
        Status: "Inactive",
      })),
    );
    expect(result.verification.verified).toBe(true);
    expect(again.actions[0]?.outcome).toBe("already-done");
  });

  it("never puts a policy on a protected user", async () => {
    await iam.send(new TagUserCommand({ UserName: "alice", Tags: [{ Key: "riposte:protect", Value: "true" }] }));

    const result = await runEndToEnd(
      incident("console-login-brute-force", { principalType: "IAMUser", userName: "alice" }),
      taskDeps(config()),
      motoGateway(moto.endpoint),
    );

    expect(result.actions[0]?.outcome).toBe("skipped");
    await expect(
      iam.send(new GetUserPolicyCommand({ UserName: "alice", PolicyName: "riposte-temporary-deny" })),
    ).rejects.toMatchObject({ name: expect.stringMatching(/^NoSuchEntity/) });
  });
});
