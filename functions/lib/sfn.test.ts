import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { sfnCallbacks, sfnWorkflowStarter } from "./sfn.js";

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const MACHINES = {
  identity: "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-riposte-identity",
  logging: "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-riposte-logging",
  network: "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-riposte-network",
  storage: "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-riposte-storage",
  threat: "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-riposte-threat",
};

describe("Step Functions as the runtime", () => {
  it("starts the category's workflow named after the incident, with the input as JSON", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn:exec", startDate: new Date() });

    const result = await sfnWorkflowStarter(new SFNClient({}), MACHINES).start("network", "inc-1", {
      finding: { a: 1 },
    });

    expect(result).toEqual({ executionArn: "arn:exec", started: true });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: MACHINES.network,
      name: "inc-1",
      input: '{"finding":{"a":1}}',
    });
  });

  it("starts nothing when the name is taken", async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }));

    const result = await sfnWorkflowStarter(new SFNClient({}), MACHINES).start("storage", "inc-2", {});

    expect(result).toEqual({
      executionArn: "arn:aws:states:eu-west-1:123456789012:execution:prod-riposte-storage:inc-2",
      started: false,
    });
  });

  it("passes other failures on", async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error("slow down"), { name: "ThrottlingException" }));

    await expect(sfnWorkflowStarter(new SFNClient({}), MACHINES).start("threat", "inc-3", {})).rejects.toThrow(
      "slow down",
    );
  });

  it("completes callback tasks, keeping errors within Step Functions' limits", async () => {
    sfn.on(SendTaskSuccessCommand).resolves({}).on(SendTaskFailureCommand).resolves({});
    const callbacks = sfnCallbacks(new SFNClient({}));

    await callbacks.sendTaskSuccess("token-1", { decision: "approve" });
    await callbacks.sendTaskFailure("token-2", "E".repeat(300), "cause");

    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: "token-1",
      output: '{"decision":"approve"}',
    });
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input.error).toHaveLength(256);
  });
});
