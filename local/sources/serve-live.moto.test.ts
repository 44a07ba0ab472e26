import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, authorizeIngress, REGION } from "../../test/fixtures/events/cloudtrail.js";
import { type MotoServer, motoAvailable, motoClientConfig, startMoto } from "../../test/support/moto.js";

/**
 * `riposte serve --sqs-url … --remediate live` in its own process, with moto standing in for AWS
 * through AWS_ENDPOINT_URL and the credential chain's environment variables: an EventBridge event
 * on the queue opens SSH to the world on a real (emulated) group, and the rule is revoked there.
 */

const TOKEN = "serve-live-test-token-0123456789";

describe.skipIf(!motoAvailable())("riposte serve: SQS source and live remediation against moto", () => {
  let moto: MotoServer;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGKILL");
      await new Promise((done) => child?.once("exit", done));
    }
    await moto?.stop();
  });

  it("reads the queue, revokes the world-open rule through AWS_ENDPOINT_URL, and deletes the message", async () => {
    // Arrange: a group with SSH open to the world, and the event CloudTrail logged for it, on the queue.
    const ec2 = new EC2Client(motoClientConfig(moto.endpoint, REGION));
    const sqs = new SQSClient(motoClientConfig(moto.endpoint, REGION));
    const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "web servers" }));
    const opened = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: group.GroupId,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    const record = authorizeIngress(group.GroupId!, [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }], {
      time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    });
    const ruleSet = (record.responseElements as { securityGroupRuleSet: { items: { securityGroupRuleId: string }[] } })
      .securityGroupRuleSet;
    ruleSet.items[0]!.securityGroupRuleId = opened.SecurityGroupRules![0]!.SecurityGroupRuleId!;
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: "riposte-live" }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.QueueUrl,
        MessageBody: JSON.stringify({
          version: "0",
          id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
          "detail-type": "AWS API Call via CloudTrail",
          source: "aws.ec2",
          account: ACCOUNT,
          time: record.eventTime,
          region: REGION,
          resources: [],
          detail: record,
        }),
      }),
    );

    // Act
    const dataDir = mkdtempSync(join(tmpdir(), "riposte-serve-live-"));
    child = spawn(
      process.execPath,
      [
        "bin/riposte.mjs",
        "serve",
        "--port",
        "0",
        "--no-demo",
        "--data-dir",
        dataDir,
        "--remediate",
        "live",
        "--sqs-url",
        queue.QueueUrl!,
        "--log-level",
        "warn",
      ],
      {
        cwd: process.cwd(),
        env: {
          PATH: process.env.PATH ?? "",
          NODE_NO_WARNINGS: "1",
          RIPOSTE_DASHBOARD_TOKEN: TOKEN,
          AWS_ENDPOINT_URL: moto.endpoint,
          AWS_REGION: REGION,
          AWS_ACCESS_KEY_ID: "testing",
          AWS_SECRET_ACCESS_KEY: "testing",
        },
      },
    );
    let stdout = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    await expect.poll(() => stdout, { timeout: 20_000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1];
    const incidents = async () => {
      const response = await fetch(`${url}/api/incidents`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return ((await response.json()) as { items: { detection: string; status: string; mode: string }[] }).items;
    };
    await expect
      .poll(async () => (await incidents()).map((incident) => incident.status), { timeout: 20_000 })
      .toEqual(["MITIGATED"]);

    // Assert: the incident acted for real, in moto; the message is gone; health names the queue.
    expect(await incidents()).toMatchObject([{ detection: "sg-ssh-open-world", status: "MITIGATED", mode: "live" }]);
    const after = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [group.GroupId!] }));
    expect(after.SecurityGroups?.[0]?.IpPermissions).toEqual([]);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    expect(attributes.Attributes).toMatchObject({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
    });
    // The sources are detail for token holders: without one, health gives counts only.
    const health = (await (
      await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { sources: { name: string }[] };
    expect(health.sources.map((source) => source.name)).toEqual(["intake", "sqs riposte-live"]);

    const exited = new Promise<number | null>((done) => child?.once("exit", (code) => done(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    ec2.destroy();
    sqs.destroy();
  });
});
