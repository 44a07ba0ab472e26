import { DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoServer, startDynalite, uniqueTableName } from "../../../test/support/dynalite.js";
import { updateItem } from "../../correlation/store.js";
import { DynamoCorrelationStore } from "./correlation.js";
import { SHARDS } from "./keys.js";
import { createTable } from "./table.js";

let server: DynamoServer;
beforeAll(async () => {
  server = await startDynalite();
});
afterAll(async () => {
  await server.stop();
});

async function open() {
  const tableName = uniqueTableName();
  await createTable(server.client(), tableName);
  return {
    tableName,
    store: new DynamoCorrelationStore({ client: server.client(), tableName }),
    peer: () => new DynamoCorrelationStore({ client: server.client(), tableName }),
  };
}

/**
 * What only DynamoDB needs beyond the contract every correlation store passes
 * (`core/correlation/store.test.ts` runs it over this store too): concurrent writers through
 * separate clients, and items written before first-seen times.
 */
describe("DynamoCorrelationStore (dynalite)", () => {
  it("counts every increment when writers race through updateItem", async () => {
    const { store, peer } = await open();
    const other = peer();

    await Promise.all(
      // updateItem retries 8 times; each round has a winner, so 6 writers always all get through.
      Array.from({ length: 6 }, (_, index) =>
        updateItem<number>(index % 2 ? store : other, "count", 0, 1000, (n) => (n ?? 0) + 1),
      ),
    );

    expect((await store.get("count", 0))?.value).toBe(6);
  });

  it("keeps members stored before first-seen times undated when they are seen again", async () => {
    // Arrange: a member as earlier versions wrote it (no firstSeenMs).
    const tableName = uniqueTableName();
    await createTable(server.client(), tableName);
    const doc = DynamoDBDocumentClient.from(server.client());
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: "CORRSET#ips", sk: "M#old", expiresAtMs: 5000, expiresAt: 100, setMember: "old" },
      }),
    );
    const store = new DynamoCorrelationStore({ client: server.client(), tableName });

    // Act
    const refreshed = await store.addToSet("ips", ["old", "new"], { now: 1000, expiresAt: 6000 });
    await store.addToSet("ips", ["old"], { now: 2000, expiresAt: 7000 });

    // Assert
    expect(refreshed.added).toEqual(["new"]);
    expect(await store.datedMembers("ips", 2000)).toEqual([{ member: "new", firstSeen: 1000 }, { member: "old" }]);
  });

  it("gives each due timer to exactly one of two concurrent takers, honouring the limit", async () => {
    const { store, peer } = await open();
    for (let index = 0; index < 10; index++) await store.schedule({ id: `t${index}`, dueAt: index, payload: index });

    const limited = await store.takeDue(100, 3);
    const [a, b] = await Promise.all([store.takeDue(100), peer().takeDue(100)]);

    expect(limited.map((timer) => timer.id)).toEqual(["t0", "t1", "t2"]);
    expect([...a, ...b].map((timer) => timer.id).sort()).toEqual(["t3", "t4", "t5", "t6", "t7", "t8", "t9"]);
  });

  it("spreads the due queue over every shard and takes timers earliest first across them", async () => {
    const { store, tableName } = await open();
    const doc = DynamoDBDocumentClient.from(server.client());
    // Scheduled in reverse, so no shard's own order gives the answer.
    const ids = Array.from({ length: 80 }, (_, index) => `timer-${index}`);
    for (const [index, id] of ids.entries()) await store.schedule({ id, dueAt: 1000 - index, payload: index });
    // A queue entry (and its timer) written before sharding, in the bare CORRDUE partition.
    await doc.send(
      new PutCommand({ TableName: tableName, Item: { pk: "CORRDUE", sk: `${"0".padStart(16, "0")}#old`, id: "old" } }),
    );
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: "CORRTIMER#old", sk: "TIMER", dueAt: 0, dueSk: `${"0".padStart(16, "0")}#old`, payload: "null" },
      }),
    );
    const { Items = [] } = await doc.send(new ScanCommand({ TableName: tableName }));
    const queues = new Set(Items.filter((item) => String(item.pk).startsWith("CORRDUE#")).map((item) => item.pk));

    const first = await store.takeDue(990, 5);
    const rest = await store.takeDue(2000);

    expect(queues).toEqual(new Set(Array.from({ length: SHARDS }, (_, n) => `CORRDUE#${n}`)));
    expect(first.map((timer) => timer.dueAt)).toEqual([0, 921, 922, 923, 924]);
    expect(first[0]?.id).toBe("old");
    expect(rest.map((timer) => timer.dueAt)).toEqual(Array.from({ length: 76 }, (_, index) => 925 + index));
  });
});
