import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GuardDutyClient } from "@aws-sdk/client-guardduty";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { Route53DomainsClient } from "@aws-sdk/client-route-53-domains";
import { S3Client } from "@aws-sdk/client-s3";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { STSClient } from "@aws-sdk/client-sts";
import { WAFV2Client } from "@aws-sdk/client-wafv2";
import { mockClient } from "aws-sdk-client-mock";
import type { RiposteConfig } from "../../core/config/schema.js";
import { silentLogger } from "../../core/log.js";
import type { RemediationActionId } from "../../core/model/actions.js";
import type { AppliedAction, PlannedAction } from "../../core/model/incident.js";
import type { WorkingIncident } from "../../core/model/tasks.js";
import { createAwsGateway } from "../../core/remediation/aws/gateway.js";
import { createCircuitBreaker } from "../../core/remediation/breaker.js";
import { type ActionPlan, planAction, planRemediation } from "../../core/remediation/policy.js";
import { runAction } from "../../core/remediation/run.js";
import { MemoryActionLedger } from "../../core/store/memory-ledger.js";
import { REGION } from "./fixtures.js";

/**
 * AWS SDK v3 clients replaced by aws-sdk-client-mock (every instance of each client class), and
 * a way to run one planned action through the real runner and gateway against them.
 */

export function mockAws() {
  const mocks = {
    ec2: mockClient(EC2Client),
    s3: mockClient(S3Client),
    s3control: mockClient(S3ControlClient),
    iam: mockClient(IAMClient),
    cloudtrail: mockClient(CloudTrailClient),
    wafv2: mockClient(WAFV2Client),
    sts: mockClient(STSClient),
    guardduty: mockClient(GuardDutyClient),
    config: mockClient(ConfigServiceClient),
    kms: mockClient(KMSClient),
    rds: mockClient(RDSClient),
    lambda: mockClient(LambdaClient),
    sns: mockClient(SNSClient),
    sqs: mockClient(SQSClient),
    ecr: mockClient(ECRClient),
    secretsmanager: mockClient(SecretsManagerClient),
    securityhub: mockClient(SecurityHubClient),
    events: mockClient(EventBridgeClient),
    route53domains: mockClient(Route53DomainsClient),
  };
  return {
    ...mocks,
    reset() {
      for (const mock of Object.values(mocks)) mock.reset();
    },
    restore() {
      for (const mock of Object.values(mocks)) mock.restore();
    },
    /** Every command sent, as `service:CommandName` (e.g. `ec2:RevokeSecurityGroupIngressCommand`). */
    sent(): string[] {
      return Object.entries(mocks).flatMap(([service, mock]) =>
        mock.calls().map((call) => `${service}:${(call.args[0] as object).constructor.name}`),
      );
    },
    /** Inputs of the commands of one class, in order. */
    inputs(commandName: string): unknown[] {
      return Object.values(mocks).flatMap((mock) =>
        mock
          .calls()
          .filter((call) => (call.args[0] as object).constructor.name === commandName)
          .map((call) => (call.args[0] as { input: unknown }).input),
      );
    },
  };
}

export type MockAws = ReturnType<typeof mockAws>;

export interface RunOptions {
  mode?: "live" | "dry-run";
  /** Plan this action instead of the detection's response (actions no detection answers with yet). */
  action?: RemediationActionId;
  approved?: boolean;
  ledger?: MemoryActionLedger;
  now?: Date;
}

/** Plan an incident from its facts and run its (first) action through the runner and a real gateway. */
export async function runPlanned(
  incident: WorkingIncident,
  config: RiposteConfig,
  options: RunOptions = {},
): Promise<{ planned: PlannedAction; applied: AppliedAction }> {
  const now = options.now ?? new Date("2026-03-02T10:05:00Z");
  const planned = options.action
    ? plannedOrThrow(planAction(options.action, incident, config, now))
    : planRemediation(incident, config, now)[0];
  if (!planned) throw new Error(`no plan for ${incident.detection}`);
  const ledger = options.ledger ?? new MemoryActionLedger();
  const aws = createAwsGateway({
    aws: { region: REGION, maxAttempts: 1 },
    region: REGION,
    logger: silentLogger,
    clientConfig: { credentials: { accessKeyId: "test", secretAccessKey: "test" } },
  });
  const applied = await runAction(planned, {
    config,
    incident,
    now,
    logger: silentLogger,
    mode: options.mode ?? "live",
    aws,
    breaker: createCircuitBreaker(ledger, config),
    ledger,
    approved: options.approved ?? false,
  });
  return { planned, applied };
}

/** The planned action of `planAction`; a test that expects a plan fails with the reason there is none. */
export function plannedOrThrow(plan: ActionPlan): PlannedAction {
  if (!plan.ok) throw new Error(`no plan: ${plan.note}`);
  return plan.planned;
}
