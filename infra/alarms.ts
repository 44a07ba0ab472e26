import { FUNCTION_SPECS } from "./functions.js";
import { CORRELATE_BATCHING_WINDOW_SECONDS } from "./throughput.js";

/**
 * CloudWatch alarm definitions (metric math), as plain data the stacks pass to
 * `aws.cloudwatch.MetricAlarm`. Missing datapoints count as zero, so a quiet workflow is OK.
 */

export interface MetricQuery<Dimension> {
  id: string;
  expression?: string;
  label?: string;
  returnData?: boolean;
  metric?: {
    namespace: string;
    metricName: string;
    dimensions: Record<string, Dimension>;
    period: number;
    stat: "Sum" | "Maximum";
  };
}

/** Step Functions metrics that mean an execution did not finish well. */
export const WORKFLOW_PROBLEM_METRICS = ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"] as const;

/** Failed + timed out + aborted executions of one state machine, per 5 minutes. */
export function workflowProblemQueries<Arn>(stateMachineArn: Arn): MetricQuery<Arn>[] {
  const ids = WORKFLOW_PROBLEM_METRICS.map((name) => name.replace("Executions", "").toLowerCase());
  return [
    ...WORKFLOW_PROBLEM_METRICS.map((metricName, index) => ({
      id: ids[index]!,
      returnData: false,
      metric: {
        namespace: "AWS/States",
        metricName,
        dimensions: { StateMachineArn: stateMachineArn },
        period: 300,
        stat: "Sum" as const,
      },
    })),
    {
      id: "problems",
      expression: ids.map((id) => `FILL(${id}, 0)`).join(" + "),
      label: "executions failed, timed out or aborted",
      returnData: true,
    },
  ];
}

/**
 * The correlate queue falling behind: its oldest message older than `thresholdSeconds` for
 * `evaluationPeriods` minutes running. A healthy queue holds a message for the batching window
 * plus one invocation; older means the correlate functions at their maximum concurrency cannot
 * keep up (raise `aws.correlate.maxConcurrency`), or a batch keeps failing and is retried.
 */
export interface QueueAgeAlarm {
  namespace: "AWS/SQS";
  metricName: "ApproximateAgeOfOldestMessage";
  statistic: "Maximum";
  period: number;
  evaluationPeriods: number;
  thresholdSeconds: number;
}

export function queueAgeAlarm(options: {
  batchingWindowSeconds: number;
  functionTimeoutSeconds: number;
}): QueueAgeAlarm {
  // Twice the worst healthy wait, and at least five minutes: a short burst is not an incident.
  const healthy = options.batchingWindowSeconds + options.functionTimeoutSeconds;
  return {
    namespace: "AWS/SQS",
    metricName: "ApproximateAgeOfOldestMessage",
    statistic: "Maximum",
    period: 60,
    evaluationPeriods: 5,
    thresholdSeconds: Math.max(300, 2 * healthy),
  };
}

/** The correlate queue's age alarm as deployed: the stack creates it, `riposte deploy plan` prints it. */
export function candidatesAgeAlarm(stage: string, queueName: string) {
  const age = queueAgeAlarm({
    batchingWindowSeconds: CORRELATE_BATCHING_WINDOW_SECONDS,
    functionTimeoutSeconds: FUNCTION_SPECS.correlate.timeoutSeconds,
  });
  return {
    logicalName: "CandidatesAgeAlarm",
    description: `Riposte ${stage}: candidate events waited over ${age.thresholdSeconds} s for correlation`,
    metric: {
      namespace: age.namespace,
      metricName: age.metricName,
      dimensions: { QueueName: queueName },
      statistic: age.statistic,
      period: age.period,
      evaluationPeriods: age.evaluationPeriods,
      threshold: age.thresholdSeconds,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    },
  } as const;
}
