import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DynamoServer, startDynalite, uniqueTableName } from "../../test/support/dynalite.js";
import { DynamoCorrelationStore } from "../store/dynamodb/correlation.js";
import { createTable } from "../store/dynamodb/table.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { SqliteCorrelationStore } from "../store/sqlite/correlation.js";
import { type CorrelationStore, updateItem } from "./store.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** What an implementation does beyond the shared contract. */
interface Traits {
  /** `sweep` deletes expired state (DynamoDB leaves that to its TTL and reports 0). */
  sweeps: boolean;
  /** A late event moves a member's first sighting earlier (DynamoDB keeps the first write's). */
  lateEventsBackdate: boolean;
}
const LOCAL: Traits = { sweeps: true, lateEventsBackdate: true };

let dynamo: DynamoServer | undefined;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

const implementations: [string, () => CorrelationStore | Promise<CorrelationStore>, Traits][] = [
  ["memory", () => new MemoryCorrelationStore(), LOCAL],
  [
    "sqlite file",
    () => {
      const store = new SqliteCorrelationStore(join(mkdtempSync(join(tmpdir(), "riposte-corr-")), "state.db"));
      cleanups.push(() => store.close());
      return store;
    },
    LOCAL,
  ],
  [
    "sqlite database",
    () => {
      const db = new Database(":memory:");
      cleanups.push(() => db.close());
      return new SqliteCorrelationStore(db);
    },
    LOCAL,
  ],
  [
    "dynamodb (dynalite)",
    async () => {
      const tableName = uniqueTableName();
      await createTable(dynamo!.client(), tableName);
      return new DynamoCorrelationStore({ client: dynamo!.client(), tableName });
    },
    { sweeps: false, lateEventsBackdate: false },
  ],
];

describe.each(implementations)("%s correlation store", (_name, create, traits) => {
  it("stores items until they expire in event time", async () => {
    const store = await create();

    await store.put("k", { n: 1 }, { now: 100, expiresAt: 200 });

    expect((await store.get("k", 150))?.value).toEqual({ n: 1 });
    expect(await store.get("k", 200)).toBeUndefined();
  });

  it("writes conditionally on the version, treating expired items as absent", async () => {
    const store = await create();

    expect(await store.put("k", "a", { now: 0, expiresAt: 100, ifVersion: 0 })).toBe(true);
    expect(await store.put("k", "b", { now: 0, expiresAt: 100, ifVersion: 0 })).toBe(false);
    const current = await store.get<string>("k", 0);
    expect(await store.put("k", "c", { now: 0, expiresAt: 100, ifVersion: current!.version })).toBe(true);
    expect(await store.put("k", "d", { now: 0, expiresAt: 100, ifVersion: current!.version })).toBe(false);
    expect(await store.put("k", "e", { now: 150, expiresAt: 300, ifVersion: 0 })).toBe(true);
    expect((await store.get("k", 150))?.value).toBe("e");
  });

  it("returns copies: changing a value read does not change what is stored", async () => {
    const store = await create();
    await store.put("k", { list: [1] }, { now: 0, expiresAt: 10 });

    const read = await store.get<{ list: number[] }>("k", 0);
    read!.value.list.push(2);

    expect((await store.get("k", 0))?.value).toEqual({ list: [1] });
  });

  it("updates with retries through updateItem", async () => {
    const store = await create();

    await updateItem<number>(store, "count", 0, 100, (n) => (n ?? 0) + 1);
    await updateItem<number>(store, "count", 0, 100, (n) => (n ?? 0) + 1);

    expect((await store.get("count", 0))?.value).toBe(2);
  });

  it("reports which set members are new, refreshing the expiry of known ones", async () => {
    const store = await create();

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
    const store = await create();
    const byMember = async (now: number) =>
      Object.fromEntries((await store.datedMembers("ips", now)).map((entry) => [entry.member, entry.firstSeen]));

    await store.addToSet("ips", ["a", "b"], { now: 1000, expiresAt: 1100 });
    await store.addToSet("ips", ["a", "c"], { now: 1050, expiresAt: 1150 });
    // "b" expired at 1100 (whether or not anything removed it yet): seen again, it is new again.
    await store.addToSet("ips", ["b"], { now: 1120, expiresAt: 1220 });

    expect(await byMember(1120)).toEqual({ a: 1000, b: 1120, c: 1050 });
    expect(await byMember(1150)).toEqual({ b: 1120 });
  });

  it("dates a member seen first by a late event at that event's time, where the store can", async () => {
    const store = await create();
    await store.addToSet("ips", ["c"], { now: 1050, expiresAt: 1150 });
    // A late event: older than what the set holds, so it is the earliest sighting of "c".
    await store.addToSet("ips", ["c"], { now: 1020, expiresAt: 1120 });

    const [entry] = await store.datedMembers("ips", 1100);
    expect(entry).toEqual({ member: "c", firstSeen: traits.lateEventsBackdate ? 1020 : 1050 });
  });

  it("hands out due timers once, earliest first, and forgets cancelled ones", async () => {
    const store = await create();
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

  it("sweeps what expired", async () => {
    const store = await create();
    await store.put("old", 1, { now: 0, expiresAt: 10 });
    await store.put("new", 1, { now: 0, expiresAt: 100 });
    await store.addToSet("s", ["x"], { now: 0, expiresAt: 10 });

    const removed = await store.sweep(50);

    expect(removed).toBe(traits.sweeps ? 2 : 0);
    expect(await store.get("old", 50)).toBeUndefined();
    expect(await store.members("s", 50)).toEqual([]);
    expect((await store.get("new", 50))?.value).toBe(1);
  });
});

describe("MemoryCorrelationStore", () => {
  it("sweeps on its own as writes accumulate, so memory follows live state", async () => {
    const store = new MemoryCorrelationStore(100);

    for (let t = 0; t < 1000; t++) await store.put(`k${t}`, t, { now: t, expiresAt: t + 10 });

    expect(store.size).toBeLessThan(120);
  });

  it("copies values in and out, so neither the writer nor a reader can change what is stored", async () => {
    const store = new MemoryCorrelationStore();
    const written = { ip: "192.0.2.1", places: ["GB", { asn: 1 }], missing: undefined };

    await store.put("k", written, { now: 0, expiresAt: 10 });
    written.places.push("US");
    const read = (await store.get<typeof written>("k", 1))!.value;
    (read.places[1] as { asn: number }).asn = 2;

    expect(read).toEqual({ ip: "192.0.2.1", places: ["GB", { asn: 2 }], missing: undefined });
    expect("missing" in read).toBe(true);
    expect((await store.get("k", 1))?.value).toEqual({ ip: "192.0.2.1", places: ["GB", { asn: 1 }] });
  });

  it("copies values that are not plain JSON data as structuredClone does (dates, cycles), and refuses functions", async () => {
    const store = new MemoryCorrelationStore();
    const cyclic: Record<string, unknown> = { at: new Date(5) };
    cyclic.self = cyclic;

    await store.put("k", cyclic, { now: 0, expiresAt: 10 });
    const read = (await store.get<Record<string, unknown>>("k", 1))!.value;

    expect(read.at).toBeInstanceOf(Date);
    expect((read.at as Date).getTime()).toBe(5);
    expect(read.self).toBe(read);
    await expect(store.put("f", { run: () => 1 }, { now: 0, expiresAt: 10 })).rejects.toThrow();
  });
});

describe("SqliteCorrelationStore", () => {
  it("opens a database from before first-seen times: its members stay undated, new ones are dated", async () => {
    // Arrange: the set table as earlier versions created it, with one member.
    const db = new Database(":memory:");
    cleanups.push(() => db.close());
    db.exec(`
      CREATE TABLE riposte_correlation_sets (
        key TEXT NOT NULL, member TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (key, member)
      ) WITHOUT ROWID;
      INSERT INTO riposte_correlation_sets VALUES ('ips', 'old', 5000);
    `);

    // Act
    const store = new SqliteCorrelationStore(db);
    const refreshed = await store.addToSet("ips", ["old", "new"], { now: 1000, expiresAt: 6000 });

    // Assert
    expect(refreshed).toEqual({ added: ["new"], size: 2 });
    expect(await store.datedMembers("ips", 1000)).toEqual([{ member: "new", firstSeen: 1000 }, { member: "old" }]);
    expect(await store.members("ips", 5500)).toEqual(["new", "old"]);
  });
});

describe("MemoryCorrelationStore.earliestDue", () => {
  it("is never later than the earliest live timer, and nothing is due before it", async () => {
    const store = new MemoryCorrelationStore();
    expect(store.earliestDue()).toBeUndefined();
    await store.schedule({ id: "t2", dueAt: 20, payload: null });
    await store.schedule({ id: "t1", dueAt: 10, payload: null });
    await store.schedule({ id: "t1", dueAt: 25, payload: null });
    await store.cancel("t2");

    // Early is allowed (a replaced or cancelled entry stays in the heap), late never.
    const earliest = store.earliestDue()!;
    expect(earliest).toBeLessThanOrEqual(25);
    expect(await store.takeDue(earliest - 1)).toEqual([]);
    expect(await store.takeDue(25)).toEqual([{ id: "t1", dueAt: 25, payload: null }]);
    expect(store.earliestDue()).toBeUndefined();
  });
});
