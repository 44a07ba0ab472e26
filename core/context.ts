import type { RiposteConfig } from "./config/schema.js";
import type { PrincipalBaselines } from "./enrich/baselines.js";
import type { Logger } from "./log.js";
import type { Category } from "./model/catalog.js";
import type { RemediationMode } from "./model/incident.js";
import type { ActionLedger } from "./remediation/breaker.js";
import type { UserRule } from "./rules/format.js";
import type { RiposteStore } from "./store/ports.js";

/**
 * What task handlers and domain services need from their runtime, injected so that the same
 * handler runs as a Lambda (DynamoDB, AWS Step Functions) and in-process (SQLite, the local
 * interpreter).
 */

/** Options every AWS SDK client is built with (`endpoint` points at moto or LocalStack). */
export interface AwsClientOptions {
  region?: string;
  endpoint?: string;
  maxAttempts?: number;
  /** S3 needs path-style addressing behind a custom endpoint. */
  forcePathStyle?: boolean;
  /**
   * Remediation in other accounts (org-wide mode): clients for a target account other than the
   * credentials' own assume this role there (sts:AssumeRole with the external id).
   */
  assumeRole?: { roleName: string; externalId?: string; sessionName?: string };
}

/** Completes `.waitForTaskToken` tasks: AWS Step Functions on AWS, the interpreter locally. */
export interface TaskCallbacks {
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause?: string): Promise<void>;
  sendTaskHeartbeat(taskToken: string): Promise<void>;
  /**
   * Resolves once the execution has durably taken the callback sent for `taskToken` (a restart
   * continues with it); rejects when it never will (the task ended first). Absent where the
   * send itself is durable: AWS Step Functions stores an accepted SendTaskSuccess before it answers.
   */
  callbackTaken?(taskToken: string): Promise<void>;
}

/** Starts a category's workflow; `name` is the incident id, so duplicates cannot start twice. */
export interface WorkflowStarter {
  start(category: Category, name: string, input: unknown): Promise<{ executionArn: string; started: boolean }>;
}

export interface Secrets {
  slackBotToken?: string;
  slackSigningSecret?: string;
  /** Overrides Slack's API base URL (tests, proxies). */
  slackApiUrl?: string;
}

export interface TaskDeps {
  config: RiposteConfig;
  store: RiposteStore;
  logger: Logger;
  /** The clock; injected so tests and replays control time. */
  now: () => Date;
  aws: AwsClientOptions;
  /** Remediation mode in force: `dry-run` records calls without sending them. */
  mode: RemediationMode;
  secrets: Secrets;
  callbacks: TaskCallbacks;
  /** Remediation's action ledger (circuit breaker, expiring changes); in-memory when absent. */
  ledger?: ActionLedger;
  /** The detections' per-principal sign-in baselines, read by enrichment; earlier incidents only when absent. */
  baselines?: PrincipalBaselines;
  /**
   * The users' rules this deployment runs (its rules directory, validated at deploy or start-up):
   * the only rule ids the open task accepts. None when absent.
   */
  rules?: readonly UserRule[];
}
