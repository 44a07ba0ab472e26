import { GetUserCommand, ListAccessKeysCommand, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const LEAKED = "AKIAABCDEFGHIJKLMNOP";
const OTHER = "AKIAQRSTUVWXYZ012345";
const OLD = "AKIA0000000000000000";
const quarantined = (facts: Record<string, unknown> = {}) =>
  incident("iam-key-quarantined", {
    eventName: "AttachUserPolicy",
    policyArn: "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3",
    // The actor's key (whoever attached the policy): never the one this action touches.
    accessKeyId: "ASIAACTORKEY00000000",
    targetUserName: "alice",
    ...facts,
  });
const user = (name = "alice", tags: Record<string, string> = {}) => ({
  User: {
    UserName: name,
    UserId: "AIDA",
    Arn: `arn:aws:iam::123456789012:user/${name}`,
    Path: "/",
    CreateDate: new Date(),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  },
});
const keys = (...list: [string, "Active" | "Inactive"][]) => ({
  AccessKeyMetadata: list.map(([AccessKeyId, Status]) => ({ AccessKeyId, Status, UserName: "alice" })),
});

describe("iam-deactivate-user-keys: plan", () => {
  it("plans UpdateAccessKey Inactive on the target user's active keys, read live", () => {
    expect(staticPlan("iam-deactivate-user-keys", quarantined())).toMatchObject({
      ok: true,
      planned: {
        target: "access keys of user alice",
        destructive: true,
        calls: [
          {
            service: "iam",
            operation: "UpdateAccessKey",
            params: {
              UserName: "alice",
              AccessKeyId: { $live: "ListAccessKeys.AccessKeyMetadata[Status=Active].AccessKeyId" },
              Status: "Inactive",
            },
          },
        ],
      },
    });
  });

  it("does not apply without a valid target user name", () => {
    for (const targetUserName of [undefined, "", "a/b", 42, { name: "alice" }]) {
      expect(staticPlan("iam-deactivate-user-keys", quarantined({ targetUserName }))).toEqual({
        ok: false,
        note: expect.stringMatching(/name no IAM user .*targetUserName/),
      });
    }
  });
});

describe("iam-deactivate-user-keys: live", () => {
  it("deactivates every active key of the user, leaves inactive ones, and verifies", async () => {
    aws.iam.on(GetUserCommand).resolves(user());
    aws.iam
      .on(ListAccessKeysCommand)
      .resolvesOnce(keys([LEAKED, "Active"], [OLD, "Inactive"], [OTHER, "Active"]))
      .resolves(keys([LEAKED, "Inactive"], [OLD, "Inactive"], [OTHER, "Inactive"]));

    const { applied, verification } = await remediateAndVerify("iam-deactivate-user-keys", quarantined(), config(), {
      approved: true,
    });

    expect(aws.inputs("UpdateAccessKeyCommand")).toEqual([
      { UserName: "alice", AccessKeyId: LEAKED, Status: "Inactive" },
      { UserName: "alice", AccessKeyId: OTHER, Status: "Inactive" },
    ]);
    expect(aws.inputs("ListAccessKeysCommand")[0]).toEqual({ UserName: "alice" });
    expect(applied).toMatchObject({ outcome: "applied" });
    expect(verification.verified).toBe(true);
  });

  it("reads every page of the key list", async () => {
    aws.iam.on(GetUserCommand).resolves(user());
    aws.iam
      .on(ListAccessKeysCommand, { UserName: "alice" })
      .resolvesOnce({ ...keys([LEAKED, "Active"]), IsTruncated: true, Marker: "m1" })
      .resolves(keys([LEAKED, "Inactive"]));
    aws.iam.on(ListAccessKeysCommand, { UserName: "alice", Marker: "m1" }).resolves(keys([OTHER, "Active"]));

    const { applied } = await remediateAndVerify("iam-deactivate-user-keys", quarantined(), config(), {
      approved: true,
    });

    expect(applied.outcome).toBe("applied");
    expect(
      aws.inputs("UpdateAccessKeyCommand").map((input) => (input as { AccessKeyId?: string }).AccessKeyId),
    ).toEqual([LEAKED, OTHER]);
  });

  it("is already done when no key is active", async () => {
    aws.iam.on(GetUserCommand).resolves(user());
    aws.iam.on(ListAccessKeysCommand).resolves(keys([LEAKED, "Inactive"]));

    const { applied } = await remediateAndVerify("iam-deactivate-user-keys", quarantined(), config(), {
      approved: true,
    });

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("UpdateAccessKeyCommand")).toEqual([]);
  });

  it("fails verification when a key still reads active", async () => {
    aws.iam.on(GetUserCommand).resolves(user());
    aws.iam.on(ListAccessKeysCommand).resolves(keys([LEAKED, "Active"]));
    aws.iam.on(UpdateAccessKeyCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("iam-deactivate-user-keys", quarantined(), config(), {
      approved: true,
    });

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: `alice: still active ${LEAKED}` })],
    });
  });

  it("counts a deleted user as gone", async () => {
    aws.iam.on(GetUserCommand).rejects(awsError("NoSuchEntityException"));

    const { applied } = await remediateAndVerify("iam-deactivate-user-keys", quarantined(), config(), {
      approved: true,
    });

    expect(applied.outcome).toBe("gone");
    expect(aws.inputs("UpdateAccessKeyCommand")).toEqual([]);
  });

  it("leaves a protected-tag user alone", async () => {
    aws.iam.on(GetUserCommand).resolves(user("alice", { "riposte:protect": "true" }));
    aws.iam.on(ListAccessKeysCommand).resolves(keys([LEAKED, "Active"]));

    const { applied } = await remediateAndVerify("iam-deactivate-user-keys", quarantined(), config(), {
      approved: true,
    });

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("UpdateAccessKeyCommand")).toEqual([]);
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify("iam-deactivate-user-keys", quarantined());

    expect(applied).toMatchObject({
      outcome: "skipped",
      error: "iam-deactivate-user-keys is destructive: it runs only after approval",
    });
    expect(aws.sent()).toEqual([]);
  });
});
