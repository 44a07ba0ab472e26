import {
  DeleteBucketReplicationCommand,
  GetBucketReplicationCommand,
  GetBucketTaggingCommand,
  PutBucketReplicationCommand,
  type ReplicationRule,
} from "@aws-sdk/client-s3";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { config, incident } from "../../../test/remediation/fixtures.js";
import { mockAws } from "../../../test/remediation/mock-aws.js";
import { awsError, remediateAndVerify, staticPlan } from "../../../test/remediation/run-action.js";

const aws = mockAws();
afterAll(() => aws.restore());
beforeEach(() => aws.reset());

const OWN = "123456789012";
const FOREIGN = "210987654321";
const BACKUP = "111122223333";
const ROLE = `arn:aws:iam::${OWN}:role/replication`;
const replicated = (facts: Record<string, unknown> = {}) =>
  incident("s3-replication-external", {
    eventName: "PutBucketReplication",
    bucket: "orders",
    destinationAccounts: [FOREIGN],
    destinationBuckets: [`arn:aws:s3:::exfil`],
    ...facts,
  });
const rule = (id: string, account?: string): ReplicationRule => ({
  ID: id,
  Priority: 1,
  Status: "Enabled",
  Filter: { Prefix: "" },
  DeleteMarkerReplication: { Status: "Disabled" },
  Destination: { Bucket: `arn:aws:s3:::replica-${id}`, ...(account ? { Account: account } : {}) },
});
/** The bucket's replication rules read after read (the last from then on); `undefined`: no configuration. */
function replication(reads: [...(ReplicationRule[] | undefined)[], ReplicationRule[] | undefined], tags = {}) {
  const answer = (rules: ReplicationRule[] | undefined) =>
    rules ? { ReplicationConfiguration: { Role: ROLE, Rules: rules } } : undefined;
  const read = aws.s3.on(GetBucketReplicationCommand);
  for (const rules of reads.slice(0, -1)) {
    const a = answer(rules);
    if (a) read.resolvesOnce(a);
    else read.rejectsOnce(awsError("ReplicationConfigurationNotFoundError"));
  }
  const last = answer(reads.at(-1));
  if (last) read.resolves(last);
  else read.rejects(awsError("ReplicationConfigurationNotFoundError"));
  aws.s3
    .on(GetBucketTaggingCommand)
    .resolves({ TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) })) });
}
const approved = { approved: true };
const trusting = config({ trustedAccounts: [BACKUP] });

describe("s3-remove-foreign-replication: plan", () => {
  it("deletes the replication the event set (from the facts: every rule goes to the named account)", () => {
    expect(staticPlan("s3-remove-foreign-replication", replicated())).toMatchObject({
      ok: true,
      planned: {
        target: "orders",
        destructive: true,
        description: expect.stringMatching(/^Stop bucket orders replicating to account 210987654321: /),
        calls: [
          { service: "s3", operation: "DeleteBucketReplication", params: { Bucket: "orders" }, region: "us-east-1" },
        ],
      },
    });
  });

  it.each([
    ["no bucket", { bucket: undefined }, /name no bucket/],
    ["an odd bucket name", { bucket: "Orders/../x" }, /not a valid S3 bucket name/],
    ["another event", { eventName: "DeleteBucketReplication" }, /does not undo "DeleteBucketReplication"/],
  ])("does not apply with %s", (_, facts, reason) => {
    expect(staticPlan("s3-remove-foreign-replication", replicated(facts))).toEqual({
      ok: false,
      note: expect.stringMatching(reason),
    });
  });

  it("keeps only valid account ids from the facts", () => {
    const plan = staticPlan(
      "s3-remove-foreign-replication",
      replicated({ destinationAccounts: [FOREIGN, "*", 42, "<b>x</b>"] }),
    );

    expect(plan.ok && plan.planned.description).toMatch(/replicating to account 210987654321: /);
  });
});

describe("s3-remove-foreign-replication: live", () => {
  it("deletes the configuration when every rule goes to a foreign account, keeping it in the snapshot", async () => {
    replication([[rule("exfil", FOREIGN)], undefined]);
    aws.s3.on(DeleteBucketReplicationCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      "s3-remove-foreign-replication",
      replicated(),
      trusting,
      approved,
    );

    expect(aws.inputs("DeleteBucketReplicationCommand")).toEqual([{ Bucket: "orders" }]);
    expect(aws.inputs("PutBucketReplicationCommand")).toEqual([]);
    expect(applied).toMatchObject({
      outcome: "applied",
      before: { state: { configuration: { Role: ROLE, Rules: [rule("exfil", FOREIGN)] } } },
      after: { state: {} },
    });
    expect(verification.verified).toBe(true);
  });

  it("puts the configuration back without the foreign rules, keeping own, trusted and account-less ones", async () => {
    const kept = [rule("same-account", OWN), rule("backup", BACKUP), rule("no-account")];
    replication([[rule("exfil", FOREIGN), ...kept], kept]);
    aws.s3.on(PutBucketReplicationCommand).resolves({});

    const { applied, verification } = await remediateAndVerify(
      "s3-remove-foreign-replication",
      replicated(),
      trusting,
      approved,
    );

    expect(aws.inputs("PutBucketReplicationCommand")).toEqual([
      { Bucket: "orders", ReplicationConfiguration: { Role: ROLE, Rules: kept } },
    ]);
    expect(aws.inputs("DeleteBucketReplicationCommand")).toEqual([]);
    expect(applied.outcome).toBe("applied");
    expect(verification.verified).toBe(true);
  });

  it("judges foreign as the detection does: an account not in trustedAccounts is removed", async () => {
    replication([[rule("backup", BACKUP), rule("same-account", OWN)], [rule("same-account", OWN)]]);
    aws.s3.on(PutBucketReplicationCommand).resolves({});

    await remediateAndVerify("s3-remove-foreign-replication", replicated(), config(), approved);

    expect(aws.inputs("PutBucketReplicationCommand")).toEqual([
      { Bucket: "orders", ReplicationConfiguration: { Role: ROLE, Rules: [rule("same-account", OWN)] } },
    ]);
  });

  it("is already done when no rule goes to a foreign account, or there is no configuration", async () => {
    replication([[rule("backup", BACKUP)]]);
    const first = await remediateAndVerify("s3-remove-foreign-replication", replicated(), trusting, approved);
    aws.reset();
    replication([undefined]);
    const second = await remediateAndVerify("s3-remove-foreign-replication", replicated(), trusting, approved);

    expect([first.applied.outcome, second.applied.outcome]).toEqual(["already-done", "already-done"]);
    expect(aws.inputs("DeleteBucketReplicationCommand")).toEqual([]);
    expect(second.verification.verified).toBe(true);
  });

  it("fails verification when a foreign rule is still there", async () => {
    replication([[rule("exfil", FOREIGN)]]);
    aws.s3.on(DeleteBucketReplicationCommand).resolves({});

    const { verification } = await remediateAndVerify(
      "s3-remove-foreign-replication",
      replicated(),
      trusting,
      approved,
    );

    expect(verification).toMatchObject({
      verified: false,
      checks: [expect.objectContaining({ ok: false, detail: `still replicates to ${FOREIGN}` })],
    });
  });

  it("counts a deleted bucket as gone", async () => {
    aws.s3.on(GetBucketReplicationCommand).rejects(awsError("NoSuchBucket"));

    const { applied } = await remediateAndVerify("s3-remove-foreign-replication", replicated(), trusting, approved);

    expect(applied.outcome).toBe("gone");
  });

  it("leaves a protected bucket alone", async () => {
    replication([[rule("exfil", FOREIGN)]], { "riposte:protect": "true" });

    const { applied } = await remediateAndVerify("s3-remove-foreign-replication", replicated(), trusting, approved);

    expect(applied.outcome).toBe("skipped");
    expect(aws.inputs("DeleteBucketReplicationCommand")).toEqual([]);
  });

  it("never runs without approval", async () => {
    const { applied } = await remediateAndVerify("s3-remove-foreign-replication", replicated());

    expect(applied).toMatchObject({ outcome: "skipped", error: expect.stringMatching(/destructive/) });
    expect(aws.sent()).toEqual([]);
  });
});
