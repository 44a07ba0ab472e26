import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SlackFollowUps } from "../core/approval/follow-up.js";
import { handleSlackInteraction } from "../core/interaction/interaction.js";
import type { TaskDeps } from "../core/task-deps.js";
import { awsTaskDeps } from "./lib/aws-deps.js";
import { lazily } from "./lib/lazy.js";
import { linked } from "./lib/resources.js";

/**
 * The Lambda behind `POST /slack/interactions` on AWS (API Gateway HTTP API, payload v2). The
 * signature covers the raw body, so it is passed through untouched (decoded when API Gateway
 * base64-encoded it). It answers once the decision is stored and the workflow resumed; the Slack
 * messages are queued for the SlackFollowUp function (a Lambda is frozen once it has answered).
 */

export interface HttpApiEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

export interface HttpApiResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

/** Slack's interaction payloads are a few kilobytes; anything this big is not from Slack. */
const MAX_BODY_BYTES = 256 * 1024;

/** Follow-ups as messages on the SlackFollowUps queue (`Resource.SlackFollowUps.url`). */
export function queuedFollowUps(client: SQSClient, queueUrl: string): SlackFollowUps {
  return async (followUp) => {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(followUp) }));
  };
}

/** Build the handler; `resolveDeps` gives the AWS-backed deps (created once per container). */
export function createSlackHandler(
  resolveDeps: () => TaskDeps | Promise<TaskDeps>,
  resolveFollowUps: () => SlackFollowUps | Promise<SlackFollowUps>,
) {
  return async (event: HttpApiEvent): Promise<HttpApiResult> => {
    const method = event.requestContext?.http?.method ?? "POST";
    if (method !== "POST") return { statusCode: 405, headers: { allow: "POST" }, body: "method not allowed" };
    const raw = event.body ?? "";
    if (raw.length > MAX_BODY_BYTES * 2) return { statusCode: 413, body: "request body too large" };
    const body = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) return { statusCode: 413, body: "request body too large" };
    const request = { headers: event.headers ?? {}, body };
    const response = await handleSlackInteraction(request, await resolveDeps(), await resolveFollowUps());
    return { statusCode: response.status, headers: response.headers, body: response.body };
  };
}

/** The Lambda entry point on AWS (HTTP API route `POST /slack/interactions`). */
export const handler = createSlackHandler(
  awsTaskDeps,
  lazily(async () => queuedFollowUps(new SQSClient({}), linked("SlackFollowUps").url)),
);
