import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DynamoServer,
  dynamoClientConfig,
  startDynalite,
  uniqueTableName,
} from "../../../test/support/dynalite.js";
import { type MotoServer, motoAvailable, startMoto } from "../../../test/support/moto.js";
import { makeIncident } from "../contract/fixtures.js";
import { describeRiposteStoreContract, type StoreHarness } from "../contract/riposte-store.contract.js";
import { DynamoStore } from "./store.js";
import { createTable } from "./table.js";

async function harness(endpoint: () => string): Promise<StoreHarness> {
  const clients: DynamoDBClient[] = [];
  const client = () => {
    const created = new DynamoDBClient(dynamoClientConfig(endpoint()));
    clients.push(created);
    return created;
  };
  const tableName = uniqueTableName();
  const admin = client();
  await createTable(admin, tableName);
  return {
    store: new DynamoStore({ client: admin, tableName }),
    peer: () => new DynamoStore({ client: client(), tableName }),
    close: async () => {
      for (const created of clients) created.destroy();
    },
  };
}

describe("dynamodb store on dynalite", () => {
  let server: DynamoServer;
  beforeAll(async () => {
    server = await startDynalite();
  });
  afterAll(async () => {
    await server.stop();
  });

  describeRiposteStoreContract("dynamodb store (dynalite)", () => harness(() => server.endpoint));

  it("moves large evidence into chunk items and keeps the main item under the 400 KB limit", async () => {
    const tableName = uniqueTableName();
    const client = server.client();
    await createTable(client, tableName);
    const store = new DynamoStore({ client, tableName });
    const evidence = Array.from({ length: 400 }, (_, index) => ({
      eventID: `e-${index}`,
      blob: `${index}`.repeat(3000),
    }));
    const incident = makeIncident({ evidence });

    await store.createIncident(incident);
    await store.transition(incident.id, "TRIAGED", { at: "2026-05-01T00:00:00.000Z", by: "score" });
    const main = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `INCIDENT#${incident.id}` }, sk: { S: "INCIDENT" } },
      }),
    );
    const stored = await store.getIncident(incident.id);

    expect(Number(main.Item?.evidenceChunks?.N)).toBeGreaterThan(1);
    expect(JSON.stringify(main.Item).length).toBeLessThan(400 * 1024);
    expect(stored?.evidence).toEqual(evidence);
    expect(stored?.status).toBe("TRIAGED");
  });
});

describe.skipIf(!motoAvailable())("dynamodb store on moto", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto.stop();
  });

  // moto's threaded server does not make a conditional write atomic (see ContractOptions).
  describeRiposteStoreContract("dynamodb store (moto)", () => harness(() => moto.endpoint), {
    atomicConditionalWrites: false,
  });
});
