import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoServer, startDynalite, uniqueTableName } from "../../../test/support/dynalite.js";
import { makeIncident } from "../contract/fixtures.js";
import { summarize } from "../summary.js";
import { DynamoStore } from "./store.js";
import { liveMessagesFromStream, type StreamAttribute } from "./stream.js";
import { createTable } from "./table.js";

let server: DynamoServer;
beforeAll(async () => {
  server = await startDynalite();
});
afterAll(async () => {
  await server.stop();
});

/** An item as a stream record carries it: the raw AttributeValue map, binary as base64 (Lambda JSON). */
function asStreamImage(item: Record<string, unknown>): Record<string, StreamAttribute> {
  return JSON.parse(
    JSON.stringify(item, (_key, value) =>
      value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value,
    ),
  );
}

describe("liveMessagesFromStream", () => {
  it("turns the store's own incident items into created and changed messages", async () => {
    const client = server.client();
    const tableName = uniqueTableName();
    await createTable(client, tableName);
    const store = new DynamoStore({ client, tableName });
    const incident = makeIncident();
    const read = async () =>
      asStreamImage(
        (
          await client.send(
            new GetItemCommand({
              TableName: tableName,
              Key: { pk: { S: `INCIDENT#${incident.id}` }, sk: { S: "INCIDENT" } },
            }),
          )
        ).Item!,
      );

    await store.createIncident(incident);
    const created = await read();
    const triaged = await store.transition(incident.id, "TRIAGED", { at: "2026-03-01T00:00:00.000Z", by: "score" });
    const changed = await read();
    const messages = liveMessagesFromStream([
      { eventName: "INSERT", dynamodb: { NewImage: created } },
      { eventName: "MODIFY", dynamodb: { NewImage: changed, OldImage: created } },
      { eventName: "MODIFY", dynamodb: { NewImage: changed, OldImage: changed } },
      { eventName: "REMOVE", dynamodb: { OldImage: changed } },
      { eventName: "INSERT", dynamodb: { NewImage: { pk: { S: "INCIDENT#x" }, sk: { S: "AUDIT#2026#1" } } } },
    ]);

    expect(messages).toEqual([
      { v: 1, type: "incident.created", incident: JSON.parse(JSON.stringify(summarize(incident))) },
      {
        v: 1,
        type: "incident.changed",
        id: incident.id,
        status: "TRIAGED",
        version: triaged.incident.version,
        at: "2026-03-01T00:00:00.000Z",
      },
    ]);
  });
});
