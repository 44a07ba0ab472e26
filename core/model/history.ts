/**
 * Execution history in the shape of Step Functions' GetExecutionHistory, so auditors read the
 * same thing from the local interpreter and from AWS. Each event carries one `…EventDetails`
 * member named after its type (`taskScheduledEventDetails`, `stateEnteredEventDetails`…).
 */

export const EXECUTION_STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** ISO 8601 (the SDK returns a Date; it is serialised as ISO here). */
  timestamp: string;
  /** `ExecutionStarted`, `TaskStateEntered`, `TaskScheduled`, `TaskSucceeded`, `ExecutionSucceeded`… */
  type: string;
  [details: `${string}EventDetails`]: Record<string, unknown> | undefined;
}

export interface ExecutionSummary {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
}
