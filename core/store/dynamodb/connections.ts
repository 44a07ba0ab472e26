import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { asStoreError } from "./errors.js";
import { CONNECTION_SK_PREFIX, CONNECTIONS_PK } from "./keys.js";

/**
 * Open API Gateway WebSocket connections, for the broadcast function. One partition (dashboards
 * are few); each item expires (TTL) after API Gateway's two-hour connection limit, so a missed
 * `$disconnect` cleans itself up.
 */
export interface ConnectionRegistry {
  add(connectionId: string, details: { principal: string; connectedAt: Date }): Promise<void>;
  remove(connectionId: string): Promise<void>;
  list(): Promise<string[]>;
}

/** API Gateway closes WebSocket connections after 2 hours; keep the item a little longer. */
const CONNECTION_TTL_SECONDS = 2 * 3600 + 600;

export class DynamoConnections implements ConnectionRegistry {
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly options: { client: DynamoDBClient; tableName: string }) {
    this.doc = DynamoDBDocumentClient.from(options.client);
  }

  private key(connectionId: string) {
    return { pk: CONNECTIONS_PK, sk: `${CONNECTION_SK_PREFIX}${connectionId}` };
  }

  async add(connectionId: string, details: { principal: string; connectedAt: Date }) {
    const item = {
      ...this.key(connectionId),
      type: "connection",
      connectionId,
      principal: details.principal,
      connectedAt: details.connectedAt.toISOString(),
      expiresAt: Math.floor(details.connectedAt.getTime() / 1000) + CONNECTION_TTL_SECONDS,
    };
    try {
      await this.doc.send(new PutCommand({ TableName: this.options.tableName, Item: item }));
    } catch (error) {
      throw asStoreError(error);
    }
  }

  async remove(connectionId: string) {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.options.tableName, Key: this.key(connectionId) }));
    } catch (error) {
      throw asStoreError(error);
    }
  }

  /** Every live connection id (items past their TTL but not yet deleted by DynamoDB are skipped). */
  async list(now = new Date()) {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc
        .send(
          new QueryCommand({
            TableName: this.options.tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: { ":pk": CONNECTIONS_PK, ":prefix": CONNECTION_SK_PREFIX },
            ProjectionExpression: "connectionId, expiresAt",
            ExclusiveStartKey: start,
          }),
        )
        .catch((error: unknown) => {
          throw asStoreError(error);
        });
      for (const item of page.Items ?? []) {
        if (typeof item.connectionId !== "string") continue;
        if (typeof item.expiresAt === "number" && item.expiresAt * 1000 < now.getTime()) continue;
        ids.push(item.connectionId);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }
}
