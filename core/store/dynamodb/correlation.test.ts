import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoServer, startDynalite, uniqueTableName } from "../../../test/support/dynalite.js";
import { updateItem } from "../../correlation/store.js";
import { DynamoCorrelationStore } from "./correlation.js";
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
    store: new DynamoCorrelationStore({ client: server.client(), tableName }),
    peer: () => new DynamoCorrelationStore({ client: server.client(), tableName }),
  };
}

describe("DynamoCorrelationStore (dynalite)", () => {
  it("stores items until they expire in event time", async () => {
    const { store } = await open();

    await store.put("k", { n: 1 }, { now: 100, expiresAt: 200 });

    expect((await store.get("k", 150))?.value).toEqual({ n: 1 });
    expect(await store.get("k", 200)).toBeUndefined();
  });

  it("writes conditionally on the version, treating expired items as absent", async () => {
    const { store } = await open();

    expect(await store.put("k", "a", { now: 0, expiresAt: 100, ifVersion: 0 })).toBe(true);
    expect(await store.put("k", "b", { now: 0, expiresAt: 100, ifVersion: 0 })).toBe(false);
    const current = await store.get<string>("k", 0);
    expect(await store.put("k", "c", { now: 0, expiresAt: 100, ifVersion: current!.version })).toBe(true);
    expect(await store.put("k", "d", { now: 0, expiresAt: 100, ifVersion: current!.version })).toBe(false);
    expect(await store.put("k", "e", { now: 150, expiresAt: 300, ifVersion: 0 })).toBe(true);
    expect((await store.get("k", 150))?.value).toBe("e");
    await store.delete("k");
    expect(await store.get("k", 150)).toBeUndefined();
  });

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

  it("reports which set members are new, refreshing the expiry of known ones", async () => {
    const { store } = await open();

    const first = await store.addToSet("ips", ["a", "b"], { now: 0, expiresAt: 100 });
    const second = await store.addToSet("ips", ["b", "c"], { now: 50, expiresAt: 200 });
    const third = await store.addToSet("ips", ["a", "b"], { now: 150, expiresAt: 300 });

    expect(first).toEqual({ added: ["a", "b"], size: 2 });
    expect(second).toEqual({ added: ["c"], size: 3 });
    expect(third.added).toEqual(["a"]);
    expect((await store.members("ips", 150)).sort()).toEqual(["a", "b", "c"]);
    await store.removeFromSet("ips", ["c"]);
    expect((await store.members("ips", 150)).sort()).toEqual(["a", "b"]);
  });

  it("dates each member by its earliest add, and starts over when it had expired", async () => {
    const { store } = await open();
    const byMember = async (now: number) =>
      Object.fromEntries((await store.datedMembers("ips", now)).map((entry) => [entry.member, entry.firstSeen]));

    await store.addToSet("ips", ["a", "b"], { now: 1000, expiresAt: 1100 });
    await store.addToSet("ips", ["a", "c"], { now: 1050, expiresAt: 1150 });
    // "b" expired at 1100 (DynamoDB's TTL has not removed it yet): seen again, it is new again.
    await store.addToSet("ips", ["b"], { now: 1120, expiresAt: 1220 });

    expect(await byMember(1120)).toEqual({ a: 1000, b: 1120, c: 1050 });
    expect(await byMember(1150)).toEqual({ b: 1120 });
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

  it("hands out due timers once, earliest first, and forgets cancelled or rescheduled ones", async () => {
    const { store } = await open();
    await store.schedule({ id: "t2", dueAt: 20, payload: { group: "sg-2" } });
    await store.schedule({ id: "t1", dueAt: 10, payload: { group: "sg-1" } });
    await store.schedule({ id: "t3", dueAt: 30, payload: null });
    await store.schedule({ id: "t1", dueAt: 25, payload: { group: "sg-1b" } });
    await store.cancel("t3");

    const early = await store.takeDue(15);
    const due = await store.takeDue(40);
    const again = await store.takeDue(40);

    expect(early).toEqual([]);
    expect(due).toEqual([
      { id: "t2", dueAt: 20, payload: { group: "sg-2" } },
      { id: "t1", dueAt: 25, payload: { group: "sg-1b" } },
    ]);
    expect(again).toEqual([]);
  });

  it("gives each due timer to exactly one of two concurrent takers, honouring the limit", async () => {
    const { store, peer } = await open();
    for (let index = 0; index < 10; index++) await store.schedule({ id: `t${index}`, dueAt: index, payload: index });

    const limited = await store.takeDue(100, 3);
    const [a, b] = await Promise.all([store.takeDue(100), peer().takeDue(100)]);

    expect(limited.map((timer) => timer.id)).toEqual(["t0", "t1", "t2"]);
    expect([...a, ...b].map((timer) => timer.id).sort()).toEqual(["t3", "t4", "t5", "t6", "t7", "t8", "t9"]);
  });
});
