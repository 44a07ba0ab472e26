import { parseSlackFollowUp, runSlackFollowUp } from "../core/approval/follow-up.js";
import type { TaskDeps } from "../core/task-deps.js";
import { awsTaskDeps } from "./lib/aws-deps.js";

/**
 * The SlackFollowUp function: the Slack messages of a button click (message updated with who
 * decided, thread reply, ephemeral notes), read from the SlackFollowUps queue after
 * `POST /slack/interactions` has answered. A follow-up that fails is reported back, so SQS
 * delivers it again (then to the dead-letter queue); the decision itself is never redone.
 */

export interface SqsEvent {
  Records?: { messageId: string; body: string }[];
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export function createSlackFollowUpHandler(resolveDeps: () => TaskDeps | Promise<TaskDeps>) {
  return async (event: SqsEvent): Promise<SqsBatchResponse> => {
    const deps = await resolveDeps();
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const { messageId, body } of event.Records ?? []) {
      try {
        await runSlackFollowUp(parseSlackFollowUp(JSON.parse(body)), deps);
      } catch (error) {
        deps.logger.error("Slack follow-up failed; SQS will retry it", { messageId, error });
        batchItemFailures.push({ itemIdentifier: messageId });
      }
    }
    return { batchItemFailures };
  };
}

/** The Lambda entry point on AWS (SQS event source: the SlackFollowUps queue). */
export const handler = createSlackFollowUpHandler(awsTaskDeps);
