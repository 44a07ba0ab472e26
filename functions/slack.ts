import { handleSlackInteraction } from "../core/approval/interaction.js";
import type { TaskDeps } from "../core/context.js";
import { awsTaskDeps } from "./lib/aws-deps.js";

/**
 * The Lambda behind `POST /slack/interactions` on AWS (API Gateway HTTP API, payload v2). The
 * signature covers the raw body, so it is passed through untouched (decoded when API Gateway
 * base64-encoded it).
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

/** Build the handler; `resolveDeps` gives the AWS-backed deps (created once per container). */
export function createSlackHandler(resolveDeps: () => TaskDeps | Promise<TaskDeps>) {
  return async (event: HttpApiEvent): Promise<HttpApiResult> => {
    const method = event.requestContext?.http?.method ?? "POST";
    if (method !== "POST") return { statusCode: 405, headers: { allow: "POST" }, body: "method not allowed" };
    const raw = event.body ?? "";
    if (raw.length > MAX_BODY_BYTES * 2) return { statusCode: 413, body: "request body too large" };
    const body = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) return { statusCode: 413, body: "request body too large" };
    const response = await handleSlackInteraction({ headers: event.headers ?? {}, body }, await resolveDeps());
    return { statusCode: response.status, headers: response.headers, body: response.body };
  };
}

/** The Lambda entry point on AWS (HTTP API route `POST /slack/interactions`). */
export const handler = createSlackHandler(awsTaskDeps);
