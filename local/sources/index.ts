import { statSync } from "node:fs";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { RiposteConfig } from "../../core/config/schema.js";
import type { AwsClientOptions } from "../../core/model/aws-client.js";
import { createCloudTrailPollSource } from "./cloudtrail-poll.js";
import { createDirectorySource } from "./directory.js";
import type { EventSource, SourceContext } from "./source.js";
import { createSqsSource } from "./sqs.js";

export type { EventSource, SourceContext, SourceStatus } from "./source.js";

/** A live source that cannot be set up as configured; the message names the setting. */
export class SourceConfigError extends Error {
  override name = "SourceConfigError";
}

export interface SourceClients {
  sqs?: SQSClient;
  cloudTrail?: (region: string) => CloudTrailClient;
}

/** The region of a standard SQS queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
export function regionOfQueueUrl(url: string): string | undefined {
  return /^https:\/\/sqs[.-]([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\//.exec(url)?.[1];
}

/**
 * The live sources the configuration asks for (the serve flags are folded into it first): a
 * watched directory, an SQS queue, CloudTrail LookupEvents polling. Clients use the standard
 * AWS credential chain and `AWS_ENDPOINT_URL` through `aws`.
 */
export function configuredSources(
  config: RiposteConfig,
  context: SourceContext,
  aws: AwsClientOptions,
  clients: SourceClients = {},
): EventSource[] {
  const sources: EventSource[] = [];
  const { watch, sqs, cloudtrailPoll } = config.sources;
  if (watch.dir) {
    let isDirectory = false;
    try {
      isDirectory = statSync(watch.dir).isDirectory();
    } catch {
      isDirectory = false;
    }
    if (!isDirectory) throw new SourceConfigError(`sources.watch.dir (--watch): ${watch.dir} is not a directory`);
    sources.push(
      createDirectorySource({
        ...context,
        dir: watch.dir,
        pollMs: watch.pollSeconds * 1000,
        settleMs: watch.settleSeconds * 1000,
      }),
    );
  }
  if (sqs.queueUrl) {
    const region = aws.region ?? regionOfQueueUrl(sqs.queueUrl);
    if (!region) throw new SourceConfigError("sources.sqs.queueUrl (--sqs-url): set AWS_REGION for this queue URL");
    const client = clients.sqs ?? new SQSClient({ region, ...(aws.endpoint ? { endpoint: aws.endpoint } : {}) });
    sources.push(
      createSqsSource({
        ...context,
        queueUrl: sqs.queueUrl,
        client,
        waitSeconds: sqs.waitSeconds,
        maxMessages: sqs.maxMessages,
      }),
    );
  }
  if (cloudtrailPoll.enabled) {
    const regions = cloudtrailPoll.regions.length > 0 ? cloudtrailPoll.regions : aws.region ? [aws.region] : [];
    if (regions.length === 0) {
      throw new SourceConfigError("sources.cloudtrailPoll (--cloudtrail-poll): set AWS_REGION or list regions");
    }
    const cache = new Map<string, CloudTrailClient>();
    const clientFor =
      clients.cloudTrail ??
      ((region: string) => {
        let client = cache.get(region);
        if (!client) {
          client = new CloudTrailClient({ region, ...(aws.endpoint ? { endpoint: aws.endpoint } : {}) });
          cache.set(region, client);
        }
        return client;
      });
    sources.push(
      createCloudTrailPollSource({
        ...context,
        regions,
        clientFor,
        intervalMs: cloudtrailPoll.intervalSeconds * 1000,
        overlapMs: cloudtrailPoll.overlapMinutes * 60_000,
        initialLookbackMs: cloudtrailPoll.initialLookbackMinutes * 60_000,
        includeReadOnly: cloudtrailPoll.includeReadOnly,
      }),
    );
  }
  return sources;
}
