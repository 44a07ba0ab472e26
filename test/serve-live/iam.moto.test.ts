import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCENARIOS } from "../fixtures/events/scenarios.js";
import { motoSuite } from "../remediation/harness.js";
import { motoAvailable } from "../support/moto.js";
import { type ServeLive, SUITE_OPTIONS, scenarioRecords, startServeLive } from "./serve.js";

/**
 * IAM family, end to end: the console brute force on alice (three failed sign-ins, the
 * scenario's records) gets her a time-boxed deny policy; AWS quarantining a key of ci-bot (the
 * scenario's AttachUserPolicy of AWSCompromisedKeyQuarantineV3) waits for approval, is approved
 * through the dashboard's API, and every active key of ci-bot, and only ci-bot's, is deactivated.
 */

describe.skipIf(!motoAvailable())(motoSuite("riposte serve --remediate live: IAM actions"), SUITE_OPTIONS, () => {
  let live: ServeLive;
  let iam: IAMClient;
  const keys = async (userName: string) =>
    ((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).map(
      (key) => key.Status,
    );

  beforeAll(async () => {
    live = await startServeLive();
    iam = new IAMClient(live.aws());
    for (const userName of ["alice", "ci-bot"]) await iam.send(new CreateUserCommand({ UserName: userName }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "ci-bot" }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "ci-bot" }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));

    await live.deliver(
      ...scenarioRecords(SCENARIOS, "console-login-brute-force", "three failures in four minutes"),
      ...scenarioRecords(SCENARIOS, "iam-key-quarantined", "the V3 quarantine policy"),
    );
  });
  afterAll(async () => {
    iam?.destroy();
    await live?.stop();
  });

  it("console-login-brute-force → iam-deny-temporarily puts a time-boxed deny-all policy on the user", async () => {
    const incident = await live.settle("console-login-brute-force", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([{ action: "iam-deny-temporarily", outcome: "applied" }]);
    const { PolicyDocument } = await iam.send(
      new GetUserPolicyCommand({ UserName: "alice", PolicyName: "riposte-temporary-deny" }),
    );
    const statement = JSON.parse(decodeURIComponent(PolicyDocument!)).Statement;
    expect([statement].flat()[0]).toMatchObject({
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { DateLessThan: { "aws:CurrentTime": expect.any(String) } },
    });
  });

  it("iam-key-quarantined → approved iam-deactivate-user-keys deactivates every active key of that user only", async () => {
    const waiting = await live.settle("iam-key-quarantined", ["AWAITING_APPROVAL", "FAILED"]);
    expect(waiting.status).toBe("AWAITING_APPROVAL");
    expect(await keys("ci-bot")).toEqual(["Active", "Active"]);

    await live.approve(waiting.id);
    const incident = await live.settle("iam-key-quarantined", ["MITIGATED", "FAILED"]);

    expect(incident).toMatchObject({ status: "MITIGATED", mode: "live" });
    expect(incident.actions).toMatchObject([{ action: "iam-deactivate-user-keys", outcome: "applied" }]);
    expect(await keys("ci-bot")).toEqual(["Inactive", "Inactive"]);
    expect(await keys("alice")).toEqual(["Active"]);
  });
});
