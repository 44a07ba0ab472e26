import {
  CancelKeyDeletionCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  type KeyState,
  ListResourceTagsCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { declaredIncident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN = `arn:aws:kms:eu-central-1:123456789012:key/${KEY}`;
const keyIncident = (facts: Record<string, unknown>) =>
  declaredIncident("kms-key-deletion", "storage", { eventName: "ScheduleKeyDeletion", keyId: KEY_ARN, ...facts });

/** The key's state read after read (the last one from then on), and its tags. */
function key(states: [...KeyState[], KeyState], tags: { TagKey: string; TagValue: string }[] = []) {
  const answer = (state: KeyState) => ({ KeyMetadata: { KeyId: KEY, Arn: KEY_ARN, KeyState: state } });
  const describe = aws.kms.on(DescribeKeyCommand);
  for (const state of states.slice(0, -1)) describe.resolvesOnce(answer(state));
  describe.resolves(answer(states.at(-1) as KeyState));
  aws.kms.on(ListResourceTagsCommand).resolves({ Tags: tags });
}

describe("kms-restore-key: plan", () => {
  it("cancels a scheduled deletion then enables the key, by its id in the region of its ARN", () => {
    const plan = staticPlan("kms-restore-key", keyIncident({}));

    expect(plan).toMatchObject({
      ok: true,
      planned: {
        target: `KMS key ${KEY} (eu-central-1)`,
        destructive: false,
        description: expect.stringMatching(/Cancel the scheduled deletion .* then enable it again/),
        calls: [
          { service: "kms", operation: "CancelKeyDeletion", params: { KeyId: KEY }, region: "eu-central-1" },
          { service: "kms", operation: "EnableKey", params: { KeyId: KEY }, region: "eu-central-1" },
        ],
      },
    });
  });

  it("enables a disabled key, named by its id, in the incident's region", () => {
    const plan = staticPlan("kms-restore-key", keyIncident({ eventName: "DisableKey", keyId: KEY }));

    expect(plan).toMatchObject({
      ok: true,
      planned: {
        target: `KMS key ${KEY} (us-east-1)`,
        calls: [{ service: "kms", operation: "EnableKey", params: { KeyId: KEY }, region: "us-east-1" }],
      },
    });
  });

  it("takes multi-Region key ids", () => {
    const plan = staticPlan("kms-restore-key", keyIncident({ keyId: "mrk-1234abcd12ab34cd56ef1234567890ab" }));

    expect(plan.ok).toBe(true);
  });

  it.each([
    [undefined],
    [""],
    ["alias/prod"],
    ["arn:aws:kms:us-east-1:123456789012:alias/prod"],
    ["arn:aws:kms:us-east-1:123456789012:key/not-a-key"],
    [`${KEY}/../x`],
    [12],
    [{ keyId: KEY }],
  ])("names no key from keyId %j", (keyId) => {
    expect(staticPlan("kms-restore-key", keyIncident({ keyId }))).toEqual({
      ok: false,
      note: expect.stringMatching(/name no KMS key/),
    });
  });

  it("does not act on a key of another account", () => {
    const foreign = keyIncident({ keyId: `arn:aws:kms:eu-central-1:210987654321:key/${KEY}` });

    expect(staticPlan("kms-restore-key", foreign)).toEqual({
      ok: false,
      note: expect.stringMatching(/belongs to account 210987654321, not the incident's/),
    });
  });

  it("does not apply to another KMS call", () => {
    expect(staticPlan("kms-restore-key", keyIncident({ eventName: "PutKeyPolicy" }))).toEqual({
      ok: false,
      note: expect.stringMatching(/does not undo "PutKeyPolicy"/),
    });
  });
});

describe("kms-restore-key: live", () => {
  it("cancels the deletion then enables the key, and verifies it reads Enabled", async () => {
    key(["PendingDeletion", "Enabled"], [{ TagKey: "team", TagValue: "sec" }]);
    aws.kms.on(CancelKeyDeletionCommand).resolves({ KeyId: KEY_ARN });
    aws.kms.on(EnableKeyCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("kms-restore-key", keyIncident({}));

    expect(applied.calls.map((call) => call.operation)).toEqual(["CancelKeyDeletion", "EnableKey"]);
    expect(aws.inputs("CancelKeyDeletionCommand")).toEqual([{ KeyId: KEY }]);
    expect(aws.inputs("EnableKeyCommand")).toEqual([{ KeyId: KEY }]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { keyState: "PendingDeletion" }, tags: [{ team: "sec" }] },
      after: { state: { keyState: "Enabled" } },
    });
    expect(verification.verified).toBe(true);
  });

  it("only enables a key whose deletion was already cancelled", async () => {
    key(["Disabled", "Enabled"]);
    aws.kms.on(EnableKeyCommand).resolves({});

    const { applied } = await remediateAndVerify("kms-restore-key", keyIncident({}));

    expect(applied.calls.map((call) => call.operation)).toEqual(["EnableKey"]);
    expect(aws.inputs("CancelKeyDeletionCommand")).toEqual([]);
  });

  it("reads again and only enables when the deletion was cancelled between the read and the call", async () => {
    key(["PendingDeletion", "Disabled", "Enabled"]);
    aws.kms.on(CancelKeyDeletionCommand).rejects(awsError("KMSInvalidStateException", "is not pending deletion"));
    aws.kms.on(EnableKeyCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("kms-restore-key", keyIncident({}));

    expect(applied.outcome).toBe("applied");
    expect(aws.inputs("EnableKeyCommand")).toEqual([{ KeyId: KEY }]);
    expect(verification.verified).toBe(true);
  });

  it("is already done on an enabled key", async () => {
    key(["Enabled"]);

    const { applied } = await remediateAndVerify("kms-restore-key", keyIncident({ eventName: "DisableKey" }));

    expect(applied.outcome).toBe("already-done");
    expect(aws.inputs("EnableKeyCommand")).toEqual([]);
  });

  it("leaves a key tagged as protected alone", async () => {
    key(["PendingDeletion"], [{ TagKey: "riposte:protect", TagValue: "true" }]);

    const { applied } = await remediateAndVerify("kms-restore-key", keyIncident({}));

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/is protected/) });
    expect(aws.inputs("CancelKeyDeletionCommand")).toEqual([]);
  });

  it("fails, saying why, on a key in a state neither call applies to", async () => {
    key(["PendingImport"]);

    const { applied, verification } = await remediateAndVerify("kms-restore-key", keyIncident({}));

    expect(applied).toMatchObject({ outcome: "failed", error: expect.stringMatching(/is PendingImport: neither/) });
    expect(verification.verified).toBe(false);
  });

  it("reports a deleted key as gone, and fails verification", async () => {
    aws.kms.on(DescribeKeyCommand).rejects(awsError("NotFoundException", `Key '${KEY_ARN}' does not exist`));

    const { applied, verification } = await remediateAndVerify("kms-restore-key", keyIncident({}));

    expect(applied.outcome).toBe("gone");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ detail: expect.stringMatching(/cannot be decrypted/) })],
    });
  });

  it("fails verification when the key still reads Disabled after the calls", async () => {
    key(["PendingDeletion", "Disabled"]);
    aws.kms.on(CancelKeyDeletionCommand).resolves({});
    aws.kms.on(EnableKeyCommand).resolves({});

    const { applied, verification } = await remediateAndVerify("kms-restore-key", keyIncident({}));

    expect(applied.outcome).toBe("applied");
    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: "Disabled" })],
    });
  });
});
