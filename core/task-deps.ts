import type { RiposteConfig } from "./config/schema.js";
import type { Logger } from "./log.js";
import type { AwsClientOptions } from "./model/aws-client.js";
import type { RemediationMode } from "./model/incident.js";
import type { UserRule } from "./rules/format.js";
import type { ActionLedger, PrincipalBaselines, RiposteStore, TaskCallbacks } from "./store/ports.js";

/**
 * What task handlers and domain services need from their runtime, injected so that the same
 * handler runs as a Lambda (DynamoDB, AWS Step Functions) and in-process (SQLite, the local
 * interpreter). The ports among them (store, ledger, callbacks, workflow starter) are in
 * `store/ports.ts`.
 */

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
