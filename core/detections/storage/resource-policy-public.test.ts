import { describe, expect, it } from "vitest";
import { detect, of } from "../../../test/detections/harness.js";
import { ACCOUNT, REGION, record } from "../../../test/fixtures/events/cloudtrail.js";
import {
  addPermission,
  createKey,
  createQueue,
  createTopic,
  policyText,
  putKeyPolicy,
  putSecretPolicy,
  setQueueAttributes,
  setRepositoryPolicy,
  setTopicAttributes,
} from "../../../test/fixtures/events/scenarios/storage-exposure.js";

/** What resource-policy-public reports for each service: the resource, the policy and its public statements. */

const PUBLIC = { Sid: "Anyone", Effect: "Allow", Principal: { AWS: "*" }, Action: "*", Resource: "*" };
const OWNER = { Sid: "Owner", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "*" };
const policy = policyText(OWNER, PUBLIC);

const findingOf = async (call: unknown) => {
  const found = of(await detect([call]), "resource-policy-public");
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe("resource-policy-public: the resource and the statements that made it public", () => {
  it.each([
    ["sns", setTopicAttributes("Policy", policy), `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`, {}],
    ["sns", createTopic(policy), `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`, {}],
    ["sqs", setQueueAttributes({ Policy: policy }), `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`, {}],
    ["sqs", createQueue({ Policy: policy }), `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`, {}],
    [
      "ecr",
      setRepositoryPolicy(policy),
      "app",
      { registryId: ACCOUNT, resourceArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app` },
    ],
    [
      "secretsmanager",
      putSecretPolicy(policy),
      "prod/db",
      { resourceArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbCdEf` },
    ],
    [
      "kms",
      putKeyPolicy(policy),
      "1234abcd-12ab-34cd-56ef-1234567890ab",
      { resourceArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
    ],
    [
      "kms",
      createKey(policy),
      "1234abcd-12ab-34cd-56ef-1234567890ab",
      { resourceArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
    ],
  ])("%s %#", async (service, call, resourceName, extra) => {
    // Act
    const finding = await findingOf(call);

    // Assert: the policy as logged, and only its public statement.
    expect(finding.severity).toBe("high");
    expect(finding.facts).toMatchObject({
      eventName: (call as { eventName: string }).eventName,
      service,
      resourceName,
      policy,
      publicStatements: [PUBLIC],
      ...extra,
    });
    expect(finding.summary).toContain("(statement Anyone)");
  });

  it("reports a policy it cannot read, with the reason, instead of guessing", async () => {
    const finding = await findingOf(putKeyPolicy('{"Statement": {"Effect": "Allow", "Principal": ["*"]}}'));

    expect(finding.facts).toMatchObject({
      service: "kms",
      policyProblem: 'statement 1 Principal is neither "*" nor an object',
    });
    expect(finding.facts).not.toHaveProperty("publicStatements");
    expect(finding.summary).toContain("could not be read");
  });

  it("takes the resource ARN from the record's resources, whether written ARN or arn", async () => {
    const arn = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app`;
    const call = { ...setRepositoryPolicy(policy), resources: [{ accountId: ACCOUNT, arn }] };

    const finding = await findingOf(call);

    expect(finding.resource).toBe(arn);
    expect(finding.facts).toMatchObject({ resourceArn: arn, resourceName: "app" });
  });

  it("reads a policy some re-exports log as an object", async () => {
    const finding = await findingOf(
      record("sns.amazonaws.com", "CreateTopic", { name: "t", attributes: { Policy: { Statement: [PUBLIC] } } }, null),
    );

    expect(finding.facts).toMatchObject({
      policy: JSON.stringify({ Statement: [PUBLIC] }),
      publicStatements: [PUBLIC],
    });
  });
});

describe("resource-policy-public: Lambda permissions", () => {
  it("names the function and statement id a RemovePermission needs", async () => {
    const finding = await findingOf(addPermission({ principal: "*", qualifier: "prod" }));

    expect(finding.facts).toMatchObject({
      eventName: "AddPermission20150331v2",
      service: "lambda",
      functionName: "billing",
      statementId: "backdoor",
      qualifier: "prod",
      publicStatements: [{ Sid: "backdoor", Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction" }],
    });
  });

  it("judges the conditions the request adds like any policy: a wildcarded source ARN pins nothing", async () => {
    // Arrange: any bucket of any account may invoke; the same statement in a bucket policy is public.
    const anyBucket = addPermission({ principal: "*", sourceArn: "arn:aws:s3:::*" });
    const urlOpen = addPermission({ principal: "*", action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "NONE" });
    const pinned = addPermission({ principal: "*", sourceAccount: ACCOUNT });

    // Act
    const findings = of(await detect([anyBucket, urlOpen, pinned]), "resource-policy-public");

    // Assert
    expect(findings.map((finding) => finding.facts.publicStatements)).toEqual([
      [expect.objectContaining({ Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::*" } } })],
      [expect.objectContaining({ Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } } })],
    ]);
  });

  it("leaves other services' AddPermission alone (SNS and SQS have one too)", async () => {
    const sns = record("sns.amazonaws.com", "AddPermission", { topicArn: "t", aWSAccountId: ["*"] }, null);
    const sqs = record("sqs.amazonaws.com", "AddPermission", { queueUrl: "q", aWSAccountIds: ["*"] }, null);

    expect(of(await detect([sns, sqs]), "resource-policy-public")).toEqual([]);
  });
});

describe("resource-policy-public on odd records", () => {
  it("never throws: null, scalar and list parameters, non-text policies", async () => {
    // Arrange
    const odd: unknown[] = [null, "text", 7, [], {}, { attributes: "Policy" }, { attributes: { Policy: 12 } }];
    const calls: [string, string][] = [
      ["sns.amazonaws.com", "SetTopicAttributes"],
      ["sns.amazonaws.com", "CreateTopic"],
      ["sqs.amazonaws.com", "SetQueueAttributes"],
      ["sqs.amazonaws.com", "CreateQueue"],
      ["ecr.amazonaws.com", "SetRepositoryPolicy"],
      ["secretsmanager.amazonaws.com", "PutResourcePolicy"],
      ["kms.amazonaws.com", "PutKeyPolicy"],
      ["kms.amazonaws.com", "CreateKey"],
      ["lambda.amazonaws.com", "AddPermission20150331v2"],
    ];
    const records = calls.flatMap(([source, name]) => odd.map((value) => record(source, name, value, value)));

    // Act
    const findings = of(await detect(records), "resource-policy-public");

    // Assert: the only findings report the unreadable policy (a number is no policy document) of
    // CreateTopic, SetQueueAttributes and CreateQueue, which read `attributes.Policy`.
    expect(findings.map((finding) => `${finding.facts.eventName}: ${finding.facts.policyProblem}`)).toEqual([
      "CreateTopic: the policy is not a JSON object",
      "SetQueueAttributes: the policy is not a JSON object",
      "CreateQueue: the policy is not a JSON object",
    ]);
  });
});
