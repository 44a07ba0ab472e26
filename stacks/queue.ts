import { FUNCTION_SPECS } from "../core/deploy/functions";

// The correlate queue: candidate events of the stateful rules, events posted to the API intake,
// and findings whose workflow must be started again. Messages that keep failing end up in the
// dead-letter queue (an alarm tells the alerts topic). Encrypted with SQS-managed keys.
export const deadLetters = new aws.sqs.Queue("CorrelateDeadLetters", {
  messageRetentionSeconds: 14 * 24 * 3600,
  sqsManagedSseEnabled: true,
});

export const candidates = new aws.sqs.Queue("Candidates", {
  // Six times the function's timeout, as Lambda recommends for an SQS event source.
  visibilityTimeoutSeconds: 6 * FUNCTION_SPECS.correlate.timeoutSeconds,
  messageRetentionSeconds: 4 * 24 * 3600,
  sqsManagedSseEnabled: true,
  redrivePolicy: deadLetters.arn.apply((arn) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 5 })),
});

// What the api and correlate functions read (`Resource.CorrelateQueue.url`); sending is granted per function.
export const correlateQueue = new sst.Linkable("CorrelateQueue", { properties: { url: candidates.url } });

// Slack follow-ups of a button click (message updates after the 3-second answer), retried on
// failure, then kept in the correlate dead-letter queue (its alarm tells the alerts topic).
export const slackFollowUps = new aws.sqs.Queue("SlackFollowUps", {
  visibilityTimeoutSeconds: 6 * FUNCTION_SPECS.slackFollowUp.timeoutSeconds,
  messageRetentionSeconds: 24 * 3600,
  sqsManagedSseEnabled: true,
  redrivePolicy: deadLetters.arn.apply((arn) => JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 })),
});
export const slackFollowUpsLink = new sst.Linkable("SlackFollowUps", { properties: { url: slackFollowUps.url } });
