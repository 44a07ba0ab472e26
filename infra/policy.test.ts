import { describe, expect, it } from "vitest";
import { workflowProblemQueries } from "./alarms.js";
import { policyDocument, serviceTrustPolicy } from "./policy.js";

describe("policyDocument", () => {
  it("resolves references to ARNs and keeps `*` where asked", () => {
    const document = policyDocument(
      [
        { sid: "A", actions: ["dynamodb:GetItem"], resources: ["table", "tableIndexes"] },
        { sid: "B", actions: ["states:SendTaskSuccess"], resources: ["*"] },
      ],
      (ref) => (ref === "table" ? ["arn:table"] : ref === "tableIndexes" ? ["arn:table/index/*"] : undefined),
    );

    expect(document).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "A", Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: ["arn:table", "arn:table/index/*"] },
        { Sid: "B", Effect: "Allow", Action: ["states:SendTaskSuccess"], Resource: ["*"] },
      ],
    });
  });

  it("refuses wildcard actions and unresolved resources", () => {
    expect(() => policyDocument([{ sid: "W", actions: ["dynamodb:*"], resources: ["*"] }], () => [])).toThrow(
      /not an exact IAM action/,
    );
    expect(() => policyDocument([{ sid: "W", actions: ["s3:Get*"], resources: ["*"] }], () => [])).toThrow(
      /not an exact IAM action/,
    );
    expect(() =>
      policyDocument([{ sid: "R", actions: ["sqs:SendMessage"], resources: ["correlateQueue"] }], () => []),
    ).toThrow(/no ARN for the correlateQueue resource/);
  });

  it("lets a service assume a role for this account only", () => {
    expect(serviceTrustPolicy("states.amazonaws.com", "123456789012").Statement[0]?.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
  });
});

describe("workflowProblemQueries", () => {
  it("sums failed, timed out and aborted executions of one state machine, counting missing data as zero", () => {
    const queries = workflowProblemQueries("arn:sm");

    expect(queries.filter((query) => query.metric).map((query) => query.metric?.metricName)).toEqual([
      "ExecutionsFailed",
      "ExecutionsTimedOut",
      "ExecutionsAborted",
    ]);
    expect(queries.every((query) => !query.metric || query.metric.dimensions.StateMachineArn === "arn:sm")).toBe(true);
    expect(queries.filter((query) => query.returnData)).toEqual([
      expect.objectContaining({ expression: "FILL(failed, 0) + FILL(timedout, 0) + FILL(aborted, 0)" }),
    ]);
  });
});
