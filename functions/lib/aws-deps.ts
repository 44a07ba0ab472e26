import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import type { RiposteConfig } from "../../core/config/schema.js";
import { correlationBaselines } from "../../core/enrich/baselines.js";
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "../../core/log.js";
import type { AwsClientOptions } from "../../core/model/aws-client.js";
import { slackSecretsFromEnv } from "../../core/notify/secrets.js";
import { DynamoCorrelationStore } from "../../core/store/dynamodb/correlation.js";
import { DynamoActionLedger } from "../../core/store/dynamodb/ledger.js";
import { DynamoStore } from "../../core/store/dynamodb/store.js";
import type { TaskDeps } from "../../core/task-deps.js";
import { lazily } from "./lazy.js";
import { deployedConfig, deployedRules, type LinkSource, linked, optionalSecret, sstLinks } from "./resources.js";
import { sfnCallbacks } from "./sfn.js";

/**
 * The task handlers' dependencies on AWS: the DynamoDB store, ledger, the detections' sign-in
 * baselines (read only, from the correlation state in the same table) and Step Functions
 * callbacks over one set of SDK clients, the deployed configuration and the Slack secrets from
 * the linked resources. Built once per container, on first use.
 */

export interface AwsRuntime {
  deps: TaskDeps;
  config: RiposteConfig;
  tableName: string;
  stage: string;
  version: string;
  dynamo: DynamoDBClient;
  sfn: SFNClient;
  logger: Logger;
}

export interface AwsRuntimeOptions {
  links?: LinkSource;
  env?: Record<string, string | undefined>;
  /** Clients to use instead of new ones (tests point them at emulators). */
  dynamo?: DynamoDBClient;
  sfn?: SFNClient;
  now?: () => Date;
}

function logLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === "") return "info";
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`RIPOSTE_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${value}")`);
}

/** The SDK options remediation builds its clients with: this region, and the member account role. */
export function awsClientOptions(config: RiposteConfig, env: Record<string, string | undefined>): AwsClientOptions {
  const memberRole = config.aws.organization?.memberRole;
  return {
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(memberRole
      ? { assumeRole: { roleName: memberRole.name, externalId: memberRole.externalId, sessionName: "riposte" } }
      : {}),
  };
}

export function buildAwsRuntime(options: AwsRuntimeOptions = {}): AwsRuntime {
  const links = options.links ?? sstLinks();
  const env = options.env ?? process.env;
  const settings = linked("Settings", links);
  const config = deployedConfig(links);
  const rules = deployedRules(links);
  const tableName = linked("Incidents", links).name;
  const logger = createLogger({
    level: logLevel(env.RIPOSTE_LOG_LEVEL),
    fields: { service: "riposte", stage: settings.stage, function: env.AWS_LAMBDA_FUNCTION_NAME },
  });
  const dynamo = options.dynamo ?? new DynamoDBClient({});
  const sfn = options.sfn ?? new SFNClient({});
  const slackBotToken = optionalSecret("SlackBotToken", links);
  const slackSigningSecret = optionalSecret("SlackSigningSecret", links);
  // A proxy in front of Slack, as locally (SLACK_API_URL); validated there.
  const { slackApiUrl } = slackSecretsFromEnv({ SLACK_API_URL: env.SLACK_API_URL });
  const deps: TaskDeps = {
    config,
    store: new DynamoStore({ client: dynamo, tableName, logger }),
    logger,
    now: options.now ?? (() => new Date()),
    aws: awsClientOptions(config, env),
    mode: config.remediation.mode,
    secrets: {
      ...(slackBotToken ? { slackBotToken } : {}),
      ...(slackSigningSecret ? { slackSigningSecret } : {}),
      ...(slackApiUrl ? { slackApiUrl } : {}),
    },
    callbacks: sfnCallbacks(sfn),
    ledger: new DynamoActionLedger({ client: dynamo, tableName }),
    baselines: correlationBaselines(new DynamoCorrelationStore({ client: dynamo, tableName })),
    rules,
  };
  return { deps, config, tableName, stage: settings.stage, version: settings.version, dynamo, sfn, logger };
}

/** The container's runtime, built on first use. */
export const awsRuntime = lazily(() => buildAwsRuntime());

/** The container's task deps, built on first use. */
export const awsTaskDeps = async (): Promise<TaskDeps> => (await awsRuntime()).deps;
