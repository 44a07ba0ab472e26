import { Client } from "@smithy/core/client";
import { vi } from "vitest";
import { OPERATIONS } from "../../core/remediation/aws/operations.js";

/**
 * Every AWS SDK v3 call a piece of code makes, recorded where all clients meet (the shared
 * `Client.prototype.send`), attributed to the deployed function running it. DynamoDB calls go on
 * to the emulator the clients point at; every other service is answered by a small fake, and a
 * call to a service without one fails the test — nothing reaches AWS unnoticed.
 */

export interface RecordedCall {
  fn: string;
  service: string;
  operation: string;
  input: Record<string, unknown>;
}

export type Responder = (operation: string, input: Record<string, unknown>) => unknown;

const SERVICES: Record<string, string> = {
  DynamoDBClient: "dynamodb",
  DynamoDBDocumentClient: "dynamodb",
  SFNClient: "states",
  SNSClient: "sns",
  SQSClient: "sqs",
  EC2Client: "ec2",
  S3Client: "s3",
  S3ControlClient: "s3control",
  IAMClient: "iam",
  STSClient: "sts",
  CloudTrailClient: "cloudtrail",
  WAFV2Client: "wafv2",
  ApiGatewayManagementApiClient: "execute-api",
  SecurityHubClient: "securityhub",
};

// lib-dynamodb's commands send the low-level operation named here.
const DOCUMENT_OPERATIONS: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactGet: "TransactGetItems",
  TransactWrite: "TransactWriteItems",
};

export function fakeAws(responders: Partial<Record<string, Responder>>) {
  const calls: RecordedCall[] = [];
  let current = "(outside a function)";
  const original = Client.prototype.send;
  const spy = vi.spyOn(Client.prototype, "send").mockImplementation(function (
    this: Client<never, never, never, never>,
    command: { input: Record<string, unknown> },
    ...rest: unknown[]
  ) {
    const clientName = this.constructor.name;
    const service = SERVICES[clientName];
    if (!service) return Promise.reject(new Error(`unexpected SDK client ${clientName}`));
    const name = command.constructor.name.replace(/Command$/, "");
    const operation = clientName === "DynamoDBDocumentClient" ? (DOCUMENT_OPERATIONS[name] ?? name) : name;
    calls.push({ fn: current, service, operation, input: command.input });
    if (service === "dynamodb") return (original as (...args: unknown[]) => unknown).call(this, command, ...rest);
    const responder = responders[service];
    if (!responder) return Promise.reject(new Error(`no fake AWS for ${service}:${operation}`));
    return Promise.resolve().then(() => responder(operation, command.input));
  } as never);
  return {
    calls,
    /** Run `work` as the deployed function `fn`: the calls it makes are attributed to it. */
    async as<T>(fn: string, work: () => Promise<T>): Promise<T> {
      current = fn;
      try {
        return await work();
      } finally {
        current = "(outside a function)";
      }
    },
    restore: () => spy.mockRestore(),
  };
}

/** An AWS error as the SDK raises it (name and HTTP status). */
export function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

// Operations whose IAM action is not `<service>:<operation>` (service authorization references).
const IAM_EXCEPTIONS: Record<string, string | null> = {
  "sqs:SendMessageBatch": "sqs:SendMessage",
  "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
  "execute-api:PostToConnection": "execute-api:ManageConnections",
  "execute-api:GetConnection": "execute-api:ManageConnections",
  "execute-api:DeleteConnection": "execute-api:ManageConnections",
  "sts:GetCallerIdentity": null,
};

/** The IAM action a call needs (null: none), using remediation's operations table where it has one. */
export function iamActionOf(service: string, operation: string): string | null {
  const known = (OPERATIONS as Record<string, Record<string, { iam: string | null }>>)[service]?.[operation];
  if (known) return known.iam;
  const key = `${service}:${operation}`;
  return key in IAM_EXCEPTIONS ? (IAM_EXCEPTIONS[key] ?? null) : key;
}
