import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
} from "@aws-sdk/client-dynamodb";
import { INDEXES, type IndexName } from "./keys.js";

/**
 * The table definition for tests and local tooling. On AWS the table is declared in
 * `stacks/storage.ts`; it must carry the same indexes (`INDEXES`), TTL on `expiresAt`, and a
 * NEW_AND_OLD_IMAGES stream.
 */
export function tableDefinition(tableName: string) {
  const attributes = new Set(["pk", "sk", "listSk", ...Object.values(INDEXES).map((index) => index.hashKey)]);
  const AttributeDefinitions: AttributeDefinition[] = [...attributes].map((AttributeName) => ({
    AttributeName,
    AttributeType: "S",
  }));
  const GlobalSecondaryIndexes: GlobalSecondaryIndex[] = (Object.keys(INDEXES) as IndexName[]).map((IndexName) => ({
    IndexName,
    KeySchema: [
      { AttributeName: INDEXES[IndexName].hashKey, KeyType: "HASH" },
      { AttributeName: INDEXES[IndexName].rangeKey, KeyType: "RANGE" },
    ],
    Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: [...INDEXES[IndexName].projection] },
  }));
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions,
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" as const },
      { AttributeName: "sk", KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes,
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" as const },
  };
}

/** Create the Riposte table (tests, local emulators). */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(tableDefinition(tableName)));
}
