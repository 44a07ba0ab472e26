import { SQSClient } from "@aws-sdk/client-sqs";
import { CATALOG } from "../core/detections/catalog.js";
import { ec2Describer } from "../core/detections/describe-ec2.js";
import { createDetectionEngine, type DetectionEngine } from "../core/engine/engine.js";
import { normalizeRecords } from "../core/events/index.js";
import { markedFromIntake } from "../core/incidents/intake.js";
import type { Logger } from "../core/log.js";
import type { SecurityEvent } from "../core/model/event.js";
import type { Finding } from "../core/model/incident.js";
import { DynamoCorrelationStore } from "../core/store/dynamodb/correlation.js";
import type { WorkflowStarter } from "../core/store/ports.js";
import { correlatedDetections } from "../infra/rules.js";
import { type AwsRuntime, awsRuntime } from "./lib/aws-deps.js";
import { startFinding } from "./lib/findings.js";
import { lazily } from "./lib/lazy.js";
import { parseQueueMessage, requeueStart } from "./lib/queue.js";
import { type LinkSource, linked, stateMachineArns } from "./lib/resources.js";
import { sfnWorkflowStarter } from "./lib/sfn.js";

/**
 * The correlate function: a batch from the correlate queue (candidate events of the stateful
 * rules and of the security-group rules deployed through the queue, events posted to the intake, findings to start again) through the detection engine with
 * its state in DynamoDB, in event-time order, then one workflow per finding, named after the
 * incident. Each event is processed once even though one arrives per matching rule (the engine
 * deduplicates by event id). A finding whose workflow cannot be started goes back on the queue.
 */

export interface CorrelateDeps {
  /** The stateful detections and the stateless ones deployed through the queue: what the rules deliver was selected for them. */
  ruleEngine: DetectionEngine;
  /** Every enabled detection and the deployment's own rules: intake events were selected by no rule. */
  intakeEngine: DetectionEngine;
  starter: WorkflowStarter;
  requeue: (finding: Finding) => Promise<void>;
  logger: Logger;
}

export interface SqsEvent {
  Records?: { messageId: string; body: string }[];
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

interface Candidate {
  messageId: string;
  engine: "rule" | "intake";
  event: SecurityEvent;
}

function readBatch(event: SqsEvent, logger: Logger) {
  const candidates: Candidate[] = [];
  const starts: { messageId: string; finding: Finding }[] = [];
  for (const { messageId, body } of event.Records ?? []) {
    try {
      const message = parseQueueMessage(body);
      if (message.kind === "start") {
        starts.push({ messageId, finding: message.finding });
        continue;
      }
      const { events, errors } = normalizeRecords(message.event);
      if (errors.length > 0) logger.warn("queued event not understood", { messageId, errors });
      for (const item of events) candidates.push({ messageId, engine: message.kind, event: item });
    } catch (error) {
      // A malformed message would fail forever: it is logged and dropped, never retried.
      logger.warn("queue message dropped", { messageId, error });
    }
  }
  candidates.sort((a, b) => a.event.epochMs - b.event.epochMs);
  return { candidates, starts };
}

export function createCorrelateHandler(resolveDeps: () => CorrelateDeps | Promise<CorrelateDeps>) {
  return async (event: SqsEvent): Promise<SqsBatchResponse> => {
    const deps = await resolveDeps();
    const failed = new Set<string>();
    const { candidates, starts } = readBatch(event, deps.logger);
    const findings: { messageId: string; finding: Finding }[] = [];
    for (const [position, candidate] of candidates.entries()) {
      try {
        const engine = candidate.engine === "rule" ? deps.ruleEngine : deps.intakeEngine;
        const found = await engine.process(candidate.event);
        // Events posted to the API intake: remediation waits for approval (remediation.autoRemediateIntake).
        const marked = candidate.engine === "intake" ? markedFromIntake(found) : found;
        for (const finding of marked) findings.push({ messageId: candidate.messageId, finding });
      } catch (error) {
        // The state store failed: this event and every later one go back to the queue, in order.
        deps.logger.error("correlation failed; the rest of the batch is retried", {
          eventId: candidate.event.id,
          error,
        });
        for (const rest of candidates.slice(position)) failed.add(rest.messageId);
        break;
      }
    }
    for (const { messageId, finding } of starts) {
      // Already a retry: on failure SQS delivers it again (and to the dead-letter queue in the end).
      await startFinding(finding, deps.starter, deps.logger).catch((error: unknown) => {
        deps.logger.warn("workflow still cannot be started", { detection: finding.detection, error });
        failed.add(messageId);
      });
    }
    for (const { messageId, finding } of findings) {
      try {
        await startFinding(finding, deps.starter, deps.logger);
      } catch (error) {
        deps.logger.warn("workflow not started; queued to start again", { detection: finding.detection, error });
        await deps.requeue(finding).catch((requeueError: unknown) => {
          deps.logger.error("finding could not be queued again", { finding, error: requeueError });
          failed.add(messageId);
        });
      }
    }
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The correlate function's deps over the container's AWS runtime. */
export function correlateDepsFor(
  runtime: AwsRuntime,
  options: { links?: LinkSource; sqs?: SQSClient } = {},
): CorrelateDeps {
  const { config, logger } = runtime;
  const state = new DynamoCorrelationStore({ client: runtime.dynamo, tableName: runtime.tableName });
  // Live lookups only where remediation is live, as in the rest of Riposte.
  const describe = config.remediation.mode === "live" ? ec2Describer(runtime.deps.aws) : undefined;
  // The stateful detections, and the stateless ones whose rules queue their events (infra/rules.ts).
  const rules = runtime.deps.rules ?? [];
  const ruleDetections = [
    ...correlatedDetections(CATALOG.filter((definition) => definition.stateful).map((definition) => definition.id)),
    // Users' correlated rules: their EventBridge rules queue their events too (infra/rules.ts).
    ...rules.filter((rule) => rule.correlation !== undefined).map((rule) => rule.id),
  ];
  const sqs = options.sqs ?? new SQSClient({});
  const queueUrl = linked("CorrelateQueue", options.links).url;
  return {
    ruleEngine: createDetectionEngine({
      config,
      state,
      logger,
      describe,
      detections: ruleDetections,
      rules,
      dedupe: true,
    }),
    intakeEngine: createDetectionEngine({ config, state, logger, describe, rules, dedupe: true }),
    starter: sfnWorkflowStarter(runtime.sfn, stateMachineArns(options.links)),
    requeue: (finding) => requeueStart(sqs, queueUrl, finding),
    logger,
  };
}

/** The correlate function's deps on AWS, built once per container. */
export const awsCorrelateDeps = lazily(async () => correlateDepsFor(await awsRuntime()));

export const handler = createCorrelateHandler(awsCorrelateDeps);
