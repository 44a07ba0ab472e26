import { SQSClient } from "@aws-sdk/client-sqs";
import { normalizeOrigin } from "../../core/api/cors.js";
import { intakeTokens } from "../../core/api/intake-token.js";
import { sfnExecutionReader } from "../../core/api/sfn-executions.js";
import type { ApiOptions } from "../../core/api/types.js";
import { decideApproval } from "../../core/approval/decide.js";
import { exceptionsApi } from "../../core/exceptions/api.js";
import { type AwsRuntime, awsRuntime } from "./aws-deps.js";
import { queueIntake } from "./intake.js";
import { type LinkSource, linked, linkedDashboardTokens, optionalSecret, sstLinks } from "./resources.js";

/**
 * The dashboard API's dependencies on AWS: the DynamoDB store, the dashboard tokens (one per
 * person from DashboardUsers, and the shared DashboardToken as "dashboard"), executions
 * read from Step Functions, intake through the correlate queue, and approvals decided with the
 * task deps. Browser origins: the configured ones plus `RIPOSTE_ALLOWED_ORIGINS` (the stacks set
 * the dashboard site's URL there).
 */
export function apiOptionsFor(
  runtime: AwsRuntime,
  options: { links?: LinkSource; env?: Record<string, string | undefined>; sqs?: SQSClient } = {},
): ApiOptions {
  const links = options.links ?? sstLinks();
  const env = options.env ?? process.env;
  const { config, deps } = runtime;
  const extraOrigins = (env.RIPOSTE_ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of extraOrigins) {
    if (!normalizeOrigin(origin)) throw new Error(`RIPOSTE_ALLOWED_ORIGINS: "${origin}" is not an origin`);
  }
  const startedAt = new Date().toISOString();
  const tokens = linkedDashboardTokens(links);
  return {
    store: deps.store,
    tokens,
    // Unset IntakeToken: POST /api/events answers 503 (dashboard tokens never authorize it).
    intakeTokens: intakeTokens(optionalSecret("IntakeToken", links), "the IntakeToken secret", tokens),
    health: () => ({ status: "ok", version: runtime.version, startedAt, remediation: config.remediation.mode }),
    intake: queueIntake(options.sqs ?? new SQSClient({}), linked("CorrelateQueue", links).url),
    decideApproval: (decision) => decideApproval(decision, deps),
    exceptions: exceptionsApi(deps),
    executions: sfnExecutionReader(runtime.sfn),
    allowedOrigins: [...config.api.allowedOrigins, ...extraOrigins],
    limits: { maxBodyBytes: config.api.maxBodyBytes, maxEventsBodyBytes: config.api.maxEventsBodyBytes },
    logger: runtime.logger.child({ component: "api" }),
  };
}

/** The API options of this container, built on first use. */
export async function awsApiOptions(): Promise<ApiOptions> {
  return apiOptionsFor(await awsRuntime());
}
