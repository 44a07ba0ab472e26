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
import type { AwsClientOptions } from "../../model/aws-client.js";
import { ROUTE53_DOMAINS_REGION } from "./global-services.js";
import type { ServiceName } from "./operations.js";

/** The smallest client surface remediation uses: `send(command)`. */
export interface SendingClient {
  send(command: unknown): Promise<unknown>;
}

/** Extra client settings (credentials for tests against an emulator). */
export type ExtraClientConfig = Record<string, unknown>;

/**
 * Builds SDK v3 clients, one per service and region, from the runtime's `AwsClientOptions`.
 * A custom endpoint (`endpoint`, else `AWS_ENDPOINT_URL`) means an emulator: S3 then needs
 * path-style addressing and S3 Control must not prefix the host with the account id. The SDK's
 * own retries are off (`maxAttempts: 1`): the gateway retries, once, with its own backoff.
 */
export function createClientFactory(
  options: AwsClientOptions,
  extra: ExtraClientConfig = {},
): (service: ServiceName, region: string) => SendingClient {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL ?? undefined;
  const cache = new Map<string, SendingClient>();
  const build = (service: ServiceName, region: string): SendingClient => {
    const base = { region, maxAttempts: 1, ...(endpoint ? { endpoint } : {}), ...extra };
    switch (service) {
      case "ec2":
        return new EC2Client(base);
      case "s3":
        return new S3Client({
          ...base,
          forcePathStyle: options.forcePathStyle ?? Boolean(endpoint),
          followRegionRedirects: true,
        });
      case "s3control":
        // S3 Control's endpoint rules put the account id in front of the host, which an emulator
        // endpoint (an IP address and port) cannot take: behind one, send to it as given.
        return new S3ControlClient(
          endpoint ? { ...base, disableHostPrefix: true, endpointProvider: () => ({ url: new URL(endpoint) }) } : base,
        );
      case "iam":
        return new IAMClient(base);
      case "cloudtrail":
        return new CloudTrailClient(base);
      case "wafv2":
        return new WAFV2Client(base);
      case "sts":
        return new STSClient(base);
      case "guardduty":
        return new GuardDutyClient(base);
      case "config":
        return new ConfigServiceClient(base);
      case "kms":
        return new KMSClient(base);
      case "rds":
        return new RDSClient(base);
      case "lambda":
        return new LambdaClient(base);
      case "sns":
        return new SNSClient(base);
      case "sqs":
        // The queue URL comes from event text: never let it choose the host requests are sent to.
        return new SQSClient({ ...base, useQueueUrlAsEndpoint: false });
      case "ecr":
        return new ECRClient(base);
      case "secretsmanager":
        return new SecretsManagerClient(base);
      case "securityhub":
        return new SecurityHubClient(base);
      case "events":
        return new EventBridgeClient(base);
      case "route53domains":
        // Route 53 Domains is served from us-east-1 only, whatever region a call names.
        return new Route53DomainsClient({ ...base, region: ROUTE53_DOMAINS_REGION });
    }
  };
  return (service, region) => {
    const key = `${service}:${region}`;
    let client = cache.get(key);
    if (!client) {
      client = build(service, region);
      cache.set(key, client);
    }
    return client;
  };
}
