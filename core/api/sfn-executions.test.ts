import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { sfnExecutionReader } from "./sfn-executions.js";

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const arn = "arn:aws:states:eu-west-1:123456789012:execution:riposte-network:inc-1";

describe("sfnExecutionReader", () => {
  it("reads the execution, every page of its history and its definition", async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: arn }).resolves({
      executionArn: arn,
      name: "inc-1",
      stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:riposte-network",
      status: "SUCCEEDED",
      startDate: new Date("2026-01-01T00:00:00.000Z"),
      stopDate: new Date("2026-01-01T00:01:00.000Z"),
    });
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: arn, maxResults: 1000, nextToken: undefined })
      .resolves({
        events: [
          {
            id: 1,
            previousEventId: 0,
            timestamp: new Date("2026-01-01T00:00:00.000Z"),
            type: "ExecutionStarted",
            executionStartedEventDetails: { input: "{}" },
          },
        ],
        nextToken: "page-2",
      })
      .on(GetExecutionHistoryCommand, { executionArn: arn, maxResults: 1000, nextToken: "page-2" })
      .resolves({
        events: [
          { id: 2, previousEventId: 1, timestamp: new Date("2026-01-01T00:01:00.000Z"), type: "ExecutionSucceeded" },
        ],
      });
    sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: '{"StartAt":"Open incident","States":{}}' });

    const detail = await sfnExecutionReader(new SFNClient({ region: "eu-west-1" })).describe(arn);

    expect(detail).toEqual({
      executionArn: arn,
      name: "inc-1",
      stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:riposte-network",
      status: "SUCCEEDED",
      startDate: "2026-01-01T00:00:00.000Z",
      stopDate: "2026-01-01T00:01:00.000Z",
      history: [
        {
          id: 1,
          previousEventId: 0,
          timestamp: "2026-01-01T00:00:00.000Z",
          type: "ExecutionStarted",
          executionStartedEventDetails: { input: "{}" },
        },
        { id: 2, previousEventId: 1, timestamp: "2026-01-01T00:01:00.000Z", type: "ExecutionSucceeded" },
      ],
      definition: { StartAt: "Open incident", States: {} },
    });
  });

  it("returns undefined for an execution that does not exist", async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: "gone", $metadata: {} }));

    const detail = await sfnExecutionReader(new SFNClient({ region: "eu-west-1" })).describe(arn);

    expect(detail).toBeUndefined();
  });
});
