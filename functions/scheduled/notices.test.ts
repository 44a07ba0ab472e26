import { SendTaskSuccessCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ABANDONED_DECISION_AGE_MS } from "../../core/approval/resume.js";
import type { ApprovalResult } from "../../core/model/tasks.js";
import { createTable } from "../../core/store/dynamodb/table.js";
import type { RiposteStore } from "../../core/store/ports.js";
import { type DeployedFunction, FUNCTION_SPECS } from "../../infra/functions.js";
import { type DynamoServer, startDynalite, uniqueTableName } from "../../test/support/dynalite.js";
import { buildAwsRuntime } from "../lib/aws-deps.js";
import { createNoticesHandler } from "./notices.js";

const NOW = new Date("2026-03-10T15:00:00.000Z");
const sfn = mockClient(SFNClient);

/** A decision saved with its resume record `ageSeconds` before NOW, whose Lambda then died. */
async function decidedAndAbandoned(store: RiposteStore, id: string, ageSeconds: number): Promise<ApprovalResult> {
  await store.putApproval({
    id,
    incidentId: `inc-${id}`,
    taskToken: `token-${id}`,
    createdAt: "2026-03-10T14:00:00.000Z",
    expiresAt: "2026-03-10T16:00:00.000Z",
    status: "pending",
  });
  const result: ApprovalResult = {
    decision: "approve",
    approver: "alice",
    at: new Date(NOW.getTime() - ageSeconds * 1000).toISOString(),
  };
  await store.decideApproval(id, "approved", result, { resume: true, via: "dashboard" });
  return result;
}

describe("Notices schedule on AWS: resuming decisions a dying Lambda saved but never sent", () => {
  let dynamo: DynamoServer;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.stop();
  });
  afterEach(() => {
    sfn.reset();
  });

  async function runtime() {
    const tableName = uniqueTableName();
    await createTable(dynamo.client(), tableName);
    const built = buildAwsRuntime({
      links: {
        Settings: { config: JSON.stringify({}), version: "1.2.3", stage: "test" },
        Incidents: { name: tableName },
      },
      env: { AWS_REGION: "eu-west-1", RIPOSTE_LOG_LEVEL: "silent" },
      dynamo: dynamo.client(),
      sfn: new SFNClient({ region: "eu-west-1" }),
      now: () => NOW,
    });
    return { store: built.deps.store, handler: createNoticesHandler(async () => built.deps) };
  }

  const sentTokens = () => sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken);

  it("sends a decision older than a minute once and clears it; leaves a younger one to its click", async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    const { store, handler } = await runtime();
    const old = await decidedAndAbandoned(store, "appr-old", 61);
    await decidedAndAbandoned(store, "appr-young", 30);

    const first = await handler();
    const second = await handler();

    expect([first.resumed, second.resumed]).toEqual([1, 0]);
    expect(sentTokens()).toEqual(["token-appr-old"]);
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual(old);
    expect((await store.listApprovalsToResume()).map((approval) => approval.id)).toEqual(["appr-young"]);
  });

  it.each(["TaskDoesNotExist", "TaskTimedOut"])("clears the record without sending again after %s", async (name) => {
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error(name), { name }));
    const { store, handler } = await runtime();
    await decidedAndAbandoned(store, "appr-gone", 300);

    const first = await handler();
    const second = await handler();

    expect([first.resumed, second.resumed]).toEqual([0, 0]);
    expect(sentTokens()).toEqual(["token-appr-gone"]);
    expect(await store.listApprovalsToResume()).toEqual([]);
  });

  it("keeps the record for the next run when Step Functions fails otherwise", async () => {
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error("throttled"), { name: "ThrottlingException" }));
    const { store, handler } = await runtime();
    await decidedAndAbandoned(store, "appr-retry", 300);

    await handler();

    expect((await store.listApprovalsToResume()).map((approval) => approval.id)).toEqual(["appr-retry"]);
  });

  it("announces an exception that expired once, on DynamoDB", async () => {
    const { store, handler } = await runtime();
    await store.putException({
      id: "slk-expired",
      detection: "sg-ssh-open-world",
      scope: { kind: "principal", value: "alice" },
      owner: "U0APPROVER",
      reason: "bastion rebuild",
      createdAt: "2026-03-09T15:00:00.000Z",
      expiresAt: "2026-03-10T14:59:00.000Z",
      createdBy: "slack:U0APPROVER",
      source: "slack",
    });

    const first = await handler();
    const second = await handler();

    expect([first.exceptionsExpired, second.exceptionsExpired]).toEqual([["slk-expired"], []]);
    expect((await store.getException("slk-expired"))?.expiryAnnouncedAt).toBe(NOW.toISOString());
    expect((await store.listAudit("exception:slk-expired")).map((entry) => entry.action)).toEqual([
      "exception.expired",
    ]);
  });

  it("waits longer than any function that saves a decision can still be running", () => {
    // Open closes approvals of incidents it resolves; Approval answers a re-run with a saved decision.
    const deciders: DeployedFunction[] = ["api", "slack", "slackFollowUp", "open", "approval"];

    for (const fn of deciders)
      expect(FUNCTION_SPECS[fn].timeoutSeconds * 1000, fn).toBeLessThan(ABANDONED_DECISION_AGE_MS);
  });
});
