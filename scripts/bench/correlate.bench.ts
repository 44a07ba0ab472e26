/**
 * One Correlate invocation's throughput: the deployed handler (`createCorrelateHandler`) run
 * in-process over SQS batches of generated read-only CloudTrail calls (IAM users' access keys,
 * 40 keys from 25 addresses in 4 regions), the three detections the combined read-only rule
 * feeds (`access-key-anomalous-use`, `impossible-travel`, `unusual-region`) and every other
 * stateful one running on each event, as on AWS.
 *
 *  - "memory store": the correlation state in memory. CPU only: the most one invocation can do.
 *  - "DynamoDB (dynalite)": the same through `DynamoCorrelationStore` on dynalite over
 *    127.0.0.1, counting the DynamoDB requests per event. Loopback answers in well under a
 *    millisecond and real DynamoDB in a few, so the events/s here is an upper bound too; the
 *    request count is what turns it into the real figure (see `infra/throughput.ts`).
 *
 * Prints events/s for each and the requests per event (1,000 timed events after 400 of warm-up;
 * `CORRELATE_BENCH_EVENTS` for more). `npm run bench -- correlate`.
 */
import { performance } from "node:perf_hooks";
import { parseConfig } from "../../core/config/load.js";
import type { CorrelationStore } from "../../core/correlation/store.js";
import { CATALOG } from "../../core/detections/catalog.js";
import { createDetectionEngine } from "../../core/engine/engine.js";
import { silentLogger } from "../../core/log.js";
import { DynamoCorrelationStore } from "../../core/store/dynamodb/correlation.js";
import { createTable } from "../../core/store/dynamodb/table.js";
import { MemoryCorrelationStore } from "../../core/store/memory-correlation.js";
import { createCorrelateHandler, type SqsEvent } from "../../functions/correlate.js";
import { startDynalite, uniqueTableName } from "../../test/support/dynalite.js";

const EVENTS = Number(process.env.CORRELATE_BENCH_EVENTS ?? 1000);
const BATCH = 100;
const REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2"];
const START = Date.parse("2026-03-10T00:00:00Z");

/** A read-only API call as the combined rule delivers it (an EventBridge event). */
function readOnlyCall(index: number) {
  const key = index % 40;
  const ip = `${[81, 93, 151, 185, 203][index % 5]}.${(key * 7) % 250}.${index % 5}.${10 + (index % 25)}`;
  const region = REGIONS[(index >> 3) % REGIONS.length]!;
  const time = new Date(START + index * 50).toISOString();
  return {
    version: "0",
    id: `bench-${index}`,
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.ec2",
    account: "123456789012",
    time,
    region,
    resources: [],
    detail: {
      eventVersion: "1.09",
      eventID: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
      eventTime: time,
      eventSource: "ec2.amazonaws.com",
      eventName: "DescribeInstances",
      eventType: "AwsApiCall",
      readOnly: true,
      awsRegion: region,
      sourceIPAddress: ip,
      userAgent: "aws-cli/2.15.0",
      recipientAccountId: "123456789012",
      userIdentity: {
        type: "IAMUser",
        arn: `arn:aws:iam::123456789012:user/user-${key}`,
        accountId: "123456789012",
        accessKeyId: `AKIABENCH${String(key).padStart(11, "0")}`,
        userName: `user-${key}`,
      },
    },
  };
}

function batches(from: number, count: number): SqsEvent[] {
  const result: SqsEvent[] = [];
  for (let start = from; start < from + count; start += BATCH) {
    const records = [];
    for (let index = start; index < Math.min(start + BATCH, from + count); index++) {
      records.push({ messageId: `m-${index}`, body: JSON.stringify(readOnlyCall(index)) });
    }
    result.push({ Records: records });
  }
  return result;
}

async function measure(name: string, state: CorrelationStore, requests?: () => number): Promise<number> {
  const config = parseConfig({});
  const stateful = CATALOG.filter((definition) => definition.stateful).map((definition) => definition.id);
  const engine = createDetectionEngine({ config, state, logger: silentLogger, detections: stateful, dedupe: true });
  let started = 0;
  const handler = createCorrelateHandler(() => ({
    ruleEngine: engine,
    intakeEngine: engine,
    starter: {
      start: async (_category, executionName) => ({ executionArn: `arn:${executionName}`, started: !!++started }),
    },
    requeue: async () => undefined,
    logger: silentLogger,
  }));
  // Warm-up: geo databases loaded, patterns compiled, JIT settled (not timed).
  for (const batch of batches(0, 400)) await handler(batch);
  const work = batches(400, EVENTS);
  const before = requests?.() ?? 0;
  const t0 = performance.now();
  let failures = 0;
  for (const batch of work) failures += (await handler(batch)).batchItemFailures.length;
  const seconds = (performance.now() - t0) / 1000;
  const perSecond = EVENTS / seconds;
  const perEvent = requests ? ((requests() - before) / EVENTS).toFixed(2) : "-";
  process.stdout.write(
    `${name.padEnd(22)} ${EVENTS} events in ${seconds.toFixed(2)} s: ${perSecond.toFixed(0)} events/s; ` +
      `DynamoDB requests per event ${perEvent}; workflows started ${started}; failed messages ${failures}\n`,
  );
  return perSecond;
}

export async function run(): Promise<void> {
  await measure("memory store", new MemoryCorrelationStore());
  const dynamo = await startDynalite();
  try {
    const client = dynamo.client();
    let requests = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        requests++;
        return next(args);
      },
      { step: "initialize", name: "countRequests" },
    );
    const tableName = uniqueTableName("bench");
    await createTable(client, tableName);
    await measure("DynamoDB (dynalite)", new DynamoCorrelationStore({ client, tableName }), () => requests);
  } finally {
    await dynamo.stop();
  }
}
