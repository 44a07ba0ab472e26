import { FUNCTION_SPECS } from "./functions.js";

/**
 * The SQS queues a deployment creates and the alarm on each one that must stay empty: plain data
 * the stacks pass to `aws.sqs.Queue` and `aws.cloudwatch.MetricAlarm`, and `riposte deploy plan`
 * prints. Every queue is encrypted with SQS-managed keys.
 */

export interface QueueSpec {
  /** PascalCase, stable: the queue's Pulumi name. */
  logicalName: string;
  purpose: string;
  messageRetentionSeconds: number;
  visibilityTimeoutSeconds?: number;
  /** Messages received this many times without being deleted move to the named queue. */
  redrive?: { to: QueueId; maxReceiveCount: number };
  /** Only the stage's detection rules may send to it (`rulesQueuePolicy`). */
  rulesOnly: boolean;
  /** Any message here is a problem: an alarm tells the alerts topic. */
  alarm?: { logicalName: string; what: string };
}

export type QueueId = "correlateDeadLetters" | "candidates" | "undelivered" | "slackFollowUps";

const DAY = 24 * 3600;

export const QUEUES: Readonly<Record<QueueId, QueueSpec>> = {
  correlateDeadLetters: {
    logicalName: "CorrelateDeadLetters",
    purpose: "candidate events the correlate function kept failing on, and Slack follow-ups that kept failing",
    messageRetentionSeconds: 14 * DAY,
    rulesOnly: false,
    alarm: {
      logicalName: "CorrelateDeadLettersAlarm",
      what: "events, findings or Slack follow-ups that kept failing",
    },
  },
  candidates: {
    logicalName: "Candidates",
    purpose: "stateful rules' candidate events, intake events and findings to start again, for the correlate function",
    // Six times the function's timeout, as Lambda recommends for an SQS event source.
    visibilityTimeoutSeconds: 6 * FUNCTION_SPECS.correlate.timeoutSeconds,
    messageRetentionSeconds: 4 * DAY,
    redrive: { to: "correlateDeadLetters", maxReceiveCount: 5 },
    rulesOnly: true,
  },
  slackFollowUps: {
    logicalName: "SlackFollowUps",
    purpose:
      "the Slack message updates of a button click, sent after the 3-second answer, for the SlackFollowUp function",
    visibilityTimeoutSeconds: 6 * FUNCTION_SPECS.slackFollowUp.timeoutSeconds,
    messageRetentionSeconds: DAY,
    redrive: { to: "correlateDeadLetters", maxReceiveCount: 3 },
    rulesOnly: false,
  },
  undelivered: {
    logicalName: "UndeliveredEvents",
    purpose: "events EventBridge could not deliver after its retries (dead letters of every rule target)",
    messageRetentionSeconds: 14 * DAY,
    rulesOnly: true,
    alarm: {
      logicalName: "UndeliveredEventsAlarm",
      what: "events EventBridge could not deliver to a workflow or the queue",
    },
  },
};

/** Each watched region keeps the events the home bus refused for as long as the home dead letters. */
export const FORWARDING_DEAD_LETTERS_RETENTION_SECONDS = 14 * DAY;

/** The alarm on a queue that must stay empty: one visible message is enough. */
export const QUEUE_NOT_EMPTY_ALARM = {
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  statistic: "Maximum",
  period: 300,
  evaluationPeriods: 1,
  threshold: 1,
  comparisonOperator: "GreaterThanOrEqualToThreshold",
  treatMissingData: "notBreaching",
} as const;
