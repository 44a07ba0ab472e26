import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../test/remediation/fixtures.js";
import { type DynamoServer, startDynalite, uniqueTableName } from "../../test/support/dynalite.js";
import { DynamoActionLedger } from "../store/dynamodb/ledger.js";
import { createTable } from "../store/dynamodb/table.js";
import { MemoryActionLedger } from "../store/memory-ledger.js";
import type { ActionLedger, LedgerEntry } from "../store/ports.js";
import { SqliteActionLedger } from "../store/sqlite/ledger.js";
import { createCircuitBreaker } from "./breaker.js";

const entry = (id: string, at: string): LedgerEntry => ({
  id,
  at,
  action: "revoke-sg-rules",
  target: id,
  incidentId: `inc-${id}`,
});

let dynamo: DynamoServer;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => dynamo?.stop());

async function dynamoLedger(): Promise<ActionLedger> {
  const tableName = uniqueTableName();
  const client = dynamo.client();
  await createTable(client, tableName);
  return new DynamoActionLedger({ client, tableName });
}

describe.each([
  ["memory", async () => new MemoryActionLedger()],
  ["sqlite", async () => new SqliteActionLedger(new Database(":memory:"))],
  ["dynamodb", dynamoLedger],
] as [string, () => Promise<ActionLedger>][])("%s action ledger", (_name, make) => {
  it("never admits more than max when reservations race", async () => {
    const ledger = await make();
    const limit = { since: "2026-01-01T00:00:00.000Z", max: 3 };

    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ledger.reserve(entry(`r${i}`, "2026-01-01T00:01:00.000Z"), limit)),
    );

    expect(results.filter((r) => r.allowed)).toHaveLength(3);
  });

  it("admits up to max entries newer than the window start, then refuses", async () => {
    const ledger = await make();
    const limit = { since: "2026-01-01T00:00:00.000Z", max: 2 };

    const results = [
      await ledger.reserve(entry("old", "2025-12-31T23:59:00.000Z"), { since: "2025-12-31T00:00:00.000Z", max: 5 }),
      await ledger.reserve(entry("a", "2026-01-01T00:01:00.000Z"), limit),
      await ledger.reserve(entry("b", "2026-01-01T00:02:00.000Z"), limit),
      await ledger.reserve(entry("c", "2026-01-01T00:03:00.000Z"), limit),
    ];

    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]?.count).toBe(2);
  });

  it("admits a retried entry again without counting it twice", async () => {
    const ledger = await make();
    const limit = { since: "2026-01-01T00:00:00.000Z", max: 1 };
    await ledger.reserve(entry("a", "2026-01-01T00:01:00.000Z"), limit);

    const again = await ledger.reserve(entry("a", "2026-01-01T00:01:00.000Z"), limit);
    const other = await ledger.reserve(entry("b", "2026-01-01T00:02:00.000Z"), limit);

    expect(again).toEqual({ allowed: true, count: 1 });
    expect(other.allowed).toBe(false);
  });

  it("lists expiring entries once due, until cleared", async () => {
    const ledger = await make();
    await ledger.record(entry("deny", "2026-01-01T00:00:00.000Z"));
    await ledger.setExpiry("deny", "2026-01-01T00:30:00.000Z", { userName: "alice" });

    const early = await ledger.due("2026-01-01T00:29:59.000Z");
    const due = await ledger.due("2026-01-01T00:30:00.000Z");
    await ledger.clear("deny");
    const after = await ledger.due("2026-01-02T00:00:00.000Z");

    expect(early).toEqual([]);
    expect(due).toEqual([
      {
        ...entry("deny", "2026-01-01T00:00:00.000Z"),
        expiresAt: "2026-01-01T00:30:00.000Z",
        detail: { userName: "alice" },
      },
    ]);
    expect(after).toEqual([]);
  });
});

describe("circuit breaker", () => {
  const now = new Date("2026-01-01T01:00:00.000Z");
  const breakerConfig = config({ remediation: { circuitBreaker: { maxActions: 2, windowMinutes: 10 } } });

  it("halts automatic actions beyond the window's maximum, saying why", async () => {
    const breaker = createCircuitBreaker(new MemoryActionLedger(), breakerConfig);

    const admitted = [
      await breaker.admit(entry("a", now.toISOString()), now, false),
      await breaker.admit(entry("b", now.toISOString()), now, false),
      await breaker.admit(entry("c", now.toISOString()), now, false),
    ];

    expect(admitted.map((a) => a.allowed)).toEqual([true, true, false]);
    expect(admitted[2]?.reason).toMatch(
      /circuit breaker open: 2 remediation actions in the last 10 minutes \(at most 2\)/,
    );
  });

  it("lets approved actions through but counts them", async () => {
    const breaker = createCircuitBreaker(new MemoryActionLedger(), breakerConfig);

    const approved = [
      await breaker.admit(entry("a", now.toISOString()), now, true),
      await breaker.admit(entry("b", now.toISOString()), now, true),
    ];
    const automatic = await breaker.admit(entry("c", now.toISOString()), now, false);

    expect(approved.every((a) => a.allowed)).toBe(true);
    expect(automatic.allowed).toBe(false);
  });

  it("admits again once the window has moved past earlier actions", async () => {
    const ledger = new MemoryActionLedger();
    const breaker = createCircuitBreaker(ledger, breakerConfig);
    const earlier = new Date(now.getTime() - 11 * 60_000);
    await breaker.admit(entry("a", earlier.toISOString()), earlier, false);
    await breaker.admit(entry("b", earlier.toISOString()), earlier, false);

    const later = await breaker.admit(entry("c", now.toISOString()), now, false);

    expect(later.allowed).toBe(true);
  });
});
