import { QUEUES } from "../infra/queues";

// The correlate queue: candidate events of the stateful rules, events posted to the API intake,
// and findings whose workflow must be started again. Messages that keep failing end up in the
// dead-letter queue (an alarm tells the alerts topic). Encrypted with SQS-managed keys.
const { correlateDeadLetters, candidates: candidatesSpec } = QUEUES;
export const deadLetters = new aws.sqs.Queue(correlateDeadLetters.logicalName, {
  messageRetentionSeconds: correlateDeadLetters.messageRetentionSeconds,
  sqsManagedSseEnabled: true,
});

export const candidates = new aws.sqs.Queue(candidatesSpec.logicalName, {
  visibilityTimeoutSeconds: candidatesSpec.visibilityTimeoutSeconds,
  messageRetentionSeconds: candidatesSpec.messageRetentionSeconds,
  sqsManagedSseEnabled: true,
  redrivePolicy: deadLetters.arn.apply((arn) =>
    JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: candidatesSpec.redrive?.maxReceiveCount }),
  ),
});

// What the api and correlate functions read (`Resource.CorrelateQueue.url`); sending is granted per function.
export const correlateQueue = new sst.Linkable("CorrelateQueue", { properties: { url: candidates.url } });

// Slack follow-ups of a button click (message updates after the 3-second answer), retried on
// failure, then kept in the correlate dead-letter queue (its alarm tells the alerts topic).
const slackFollowUpsSpec = QUEUES.slackFollowUps;
export const slackFollowUps = new aws.sqs.Queue(slackFollowUpsSpec.logicalName, {
  visibilityTimeoutSeconds: slackFollowUpsSpec.visibilityTimeoutSeconds,
  messageRetentionSeconds: slackFollowUpsSpec.messageRetentionSeconds,
  sqsManagedSseEnabled: true,
  redrivePolicy: deadLetters.arn.apply((arn) =>
    JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: slackFollowUpsSpec.redrive?.maxReceiveCount }),
  ),
});
export const slackFollowUpsLink = new sst.Linkable("SlackFollowUps", { properties: { url: slackFollowUps.url } });
