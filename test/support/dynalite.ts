import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
// dynalite ships no types: it exports a factory returning a node:http server.
// @ts-expect-error untyped module
import dynalite from "dynalite";

/**
 * A DynamoDB-compatible server (dynalite, in memory) on 127.0.0.1 for store suites. Each suite
 * starts its own and stops it afterwards; tables are created per test with unique names.
 */
export interface DynamoServer {
  endpoint: string;
  client(): DynamoDBClient;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<DynamoServer> {
  const server = (dynalite as (options: object) => Server)({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: DynamoDBClient[] = [];
  return {
    endpoint,
    client() {
      const client = new DynamoDBClient(dynamoClientConfig(endpoint));
      clients.push(client);
      return client;
    },
    stop: async () => {
      for (const client of clients) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** SDK options for a local DynamoDB endpoint (fixed test credentials). */
export function dynamoClientConfig(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    maxAttempts: 3,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
}

/** A unique table name per test. */
export function uniqueTableName(prefix = "riposte"): string {
  return `${prefix}-${randomBytes(6).toString("hex")}`;
}
