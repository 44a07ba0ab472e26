import { DynamoDBClient, GetItemCommand, ScanCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
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
import { SHARDS } from "./keys.js";
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

describe("dynamodb store: sharded indexes", () => {
  let server: DynamoServer;
  beforeAll(async () => {
    server = await startDynalite();
  });
  afterAll(async () => {
    await server.stop();
  });

  async function freshStore() {
    const tableName = uniqueTableName();
    const client = server.client();
    await createTable(client, tableName);
    return { client, tableName, store: new DynamoStore({ client, tableName }) };
  }

  /** The index partitions the incidents' main items were written to. */
  async function partitionsOf(client: DynamoDBClient, tableName: string, attribute: "gsi1pk" | "gsi2pk" | "gsi4pk") {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
    return Items.filter((item) => item.sk?.S === "INCIDENT").map((item) => item[attribute]?.S);
  }

  it("spreads incident writes over every shard of the time, status and principal indexes", async () => {
    const { client, tableName, store } = await freshStore();
    // A storm from one principal: every incident shares the time, status and principal keys.
    const incidents = Array.from({ length: 160 }, (_, index) =>
      makeIncident({ id: `storm-${index}`, createdAt: "2026-05-01T00:00:00.000Z", principal: "mallory" }),
    );

    for (const incident of incidents) await store.createIncident(incident);
    const byTime = await partitionsOf(client, tableName, "gsi1pk");
    const byStatus = await partitionsOf(client, tableName, "gsi2pk");
    const byPrincipal = await partitionsOf(client, tableName, "gsi4pk");
    const listed = await store.listIncidents({ principal: "mallory", limit: 1000 });

    const shards = Array.from({ length: SHARDS }, (_, n) => n);
    expect(new Set(byTime)).toEqual(new Set(shards.map((n) => `INCIDENTS#${n}`)));
    expect(new Set(byStatus)).toEqual(new Set(shards.map((n) => `STATUS#NEW#${n}`)));
    expect(new Set(byPrincipal)).toEqual(new Set(shards.map((n) => `PRINCIPAL#mallory#${n}`)));
    expect(listed.items).toHaveLength(incidents.length);
    // No shard takes more than twice its fair share of the storm.
    const counts = shards.map((n) => byTime.filter((key) => key === `INCIDENTS#${n}`).length);
    expect(Math.max(...counts)).toBeLessThanOrEqual((2 * incidents.length) / SHARDS);
  });

  it("still lists incidents written before sharding, and moves one to its shard on its next write", async () => {
    const { client, tableName, store } = await freshStore();
    const legacy = makeIncident({ createdAt: "2026-05-01T00:00:01.000Z" });
    const sharded = makeIncident({ createdAt: "2026-05-01T00:00:02.000Z" });
    await store.createIncident(legacy);
    await store.createIncident(sharded);
    // The keys an earlier release wrote: one partition for every incident, one per status.
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: `INCIDENT#${legacy.id}` }, sk: { S: "INCIDENT" } },
        UpdateExpression: "SET gsi1pk = :all, gsi2pk = :status, gsi4pk = :principal",
        ExpressionAttributeValues: {
          ":all": { S: "INCIDENTS" },
          ":status": { S: "STATUS#NEW" },
          ":principal": { S: `PRINCIPAL#${legacy.principal}` },
        },
      }),
    );

    const listed = await store.listIncidents({ limit: 1 });
    const rest = await store.listIncidents({ limit: 1, cursor: listed.nextCursor });
    const fresh = await store.listIncidents({ status: ["NEW"] });
    const byPrincipal = await store.listIncidents({ principal: legacy.principal });
    await store.transition(legacy.id, "TRIAGED", { at: "2026-05-01T00:01:00.000Z", by: "score" });
    const moved = await partitionsOf(client, tableName, "gsi1pk");
    const triaged = await store.listIncidents({ status: ["TRIAGED"] });

    expect([...listed.items, ...rest.items].map((item) => item.id)).toEqual([sharded.id, legacy.id]);
    expect(rest.nextCursor).toBeUndefined();
    expect(fresh.items.map((item) => item.id)).toEqual([sharded.id, legacy.id]);
    expect(byPrincipal.items.map((item) => item.id)).toEqual([sharded.id, legacy.id]);
    expect(moved).not.toContain("INCIDENTS");
    expect(triaged.items.map((item) => item.id)).toEqual([legacy.id]);
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
