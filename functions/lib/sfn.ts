import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { Category } from "../../core/model/catalog.js";
import type { TaskCallbacks, WorkflowStarter } from "../../core/store/ports.js";

/**
 * Step Functions on AWS as the runtime's `TaskCallbacks` (completing `.waitForTaskToken` tasks)
 * and `WorkflowStarter` (executions named after the incident id).
 */

/** Step Functions caps `error` at 256 characters and `cause` at 32,768. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

export function sfnCallbacks(client: SFNClient): TaskCallbacks {
  return {
    async sendTaskSuccess(taskToken, output) {
      await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? null) }));
    },
    async sendTaskFailure(taskToken, error, cause) {
      await client.send(
        new SendTaskFailureCommand({
          taskToken,
          error: error.slice(0, MAX_ERROR),
          ...(cause === undefined ? {} : { cause: cause.slice(0, MAX_CAUSE) }),
        }),
      );
    },
    async sendTaskHeartbeat(taskToken) {
      await client.send(new SendTaskHeartbeatCommand({ taskToken }));
    },
  };
}

/**
 * Starts a category's workflow named after the incident. A name already taken means an execution
 * already handles (or handled) the incident: Step Functions answers a duplicate start of a running
 * execution with the same ARN, and a closed one with ExecutionAlreadyExists; both start nothing.
 */
export function sfnWorkflowStarter(
  client: SFNClient,
  stateMachines: Readonly<Record<Category, string>>,
): WorkflowStarter {
  return {
    async start(category, name, input) {
      const stateMachineArn = stateMachines[category];
      if (!stateMachineArn) throw new Error(`no state machine is deployed for the ${category} category`);
      const executionArn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
      try {
        const started = await client.send(
          new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
        );
        return { executionArn: started.executionArn ?? executionArn, started: true };
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists || (error as Error).name === "ExecutionAlreadyExists") {
          return { executionArn, started: false };
        }
        throw error;
      }
    },
  };
}
