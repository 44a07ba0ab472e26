import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { identity, type RecordOptions, record } from "../../test/fixtures/events/cloudtrail.js";
import { type DynamoServer, startDynalite, uniqueTableName } from "../../test/support/dynalite.js";
import { parseConfig } from "../config/load.js";
import type { CorrelationStore } from "../correlation/store.js";
import { normalizeRecords } from "../events/index.js";
import { isoTime } from "../events/time.js";
import { locate } from "../geo/locate.js";
import { silentLogger } from "../log.js";
import type { SecurityEvent } from "../model/event.js";
import { DynamoCorrelationStore } from "../store/dynamodb/correlation.js";
import { createTable } from "../store/dynamodb/table.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { SqliteCorrelationStore } from "../store/sqlite/correlation.js";
import { declareDistinctCount, declareFirstSeen, declareThreshold } from "./correlate.js";
import { principalOf, str } from "./record.js";
import type { CorrelationContext, FindingDraft, StatefulDetection } from "./types.js";

/**
 * The three generic correlators over every correlation store: what fires, when, and how often, in
 * event time (windows and their edges, late events, one finding per window, expiry).
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.parse("2024-05-01T10:00:00Z");
const WINDOW = 10 * MINUTE;
const config = parseConfig({});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

let dynamo: DynamoServer | undefined;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

const stores: [string, () => CorrelationStore | Promise<CorrelationStore>][] = [
  ["memory", () => new MemoryCorrelationStore()],
  [
    "sqlite",
    () => {
      const db = new Database(":memory:");
      cleanups.push(() => db.close());
      return new SqliteCorrelationStore(db);
    },
  ],
  [
    "dynamodb (dynalite)",
    async () => {
      const tableName = uniqueTableName();
      await createTable(dynamo!.client(), tableName);
      return new DynamoCorrelationStore({ client: dynamo!.client(), tableName });
    },
  ],
];

/** A Secrets Manager call at T0 + `offset` ms. */
function call(eventName: string, secretId: string, offset: number, options: RecordOptions = {}): SecurityEvent {
  const built = record("secretsmanager.amazonaws.com", eventName, { secretId }, null, {
    time: isoTime(T0 + offset),
    ...options,
  });
  const { events, errors } = normalizeRecords([built]);
  if (errors.length > 0) throw new Error(JSON.stringify(errors));
  return events[0]!;
}

/** A GetSecretValue of `secretId` (values separated by commas for the distinct count) at T0 + `offset` ms. */
const read = (secretId: string, offset: number, options: RecordOptions = {}) =>
  call("GetSecretValue", secretId, offset, options);

const KEY = "secrets-bulk-read|arn:aws:iam::123456789012:user/alice";

const calls = [{ source: "aws.secretsmanager" as const, names: ["GetSecretValue"] }];
const text = {
  id: "secrets-bulk-read" as const,
  title: "Test correlation",
  category: "identity" as const,
  severity: "high" as const,
  attack: { id: "T1555.006", name: "Cloud Secrets Management Stores" },
  asff: ["TTPs/Credential Access"],
  description: "A correlation under test.",
  why: "Tests.",
  tuning: "None.",
  response: { mode: "notify" as const },
  calls,
  group: (record: Record<string, unknown>) => principalOf(record),
};

/** ≥ 3 reads of a principal within 10 minutes; the finding lists the counted event ids. */
const threshold = (rearm: "window" | "count" = "window") =>
  declareThreshold({
    ...text,
    threshold: () => ({ count: 3, windowMinutes: 10 }),
    rearm,
    note: (record) => str((record.requestParameters as { secretId?: string }).secretId),
    found: (_record, counted) => ({
      resource: "r",
      summary: `${counted.length} reads`,
      facts: { counted: counted.map((entry) => entry.note) },
    }),
  });

/** ≥ 3 distinct secrets of a principal within 10 minutes. */
const distinct = () =>
  declareDistinctCount({
    ...text,
    threshold: () => ({ count: 3, windowMinutes: 10 }),
    values: (record) => {
      const id = (record.requestParameters as { secretId?: unknown } | null)?.secretId;
      return typeof id === "string" ? id.split(",") : [];
    },
    found: (_record, counted) => ({
      resource: "r",
      summary: `${counted.length} secrets`,
      facts: { secrets: counted.map((entry) => entry.value) },
    }),
  });

const secretIdOf = (record: Record<string, unknown>) =>
  str((record.requestParameters as { secretId?: string }).secretId);

/** Secrets new to a principal, remembered 30 days, after `learningDays`; a read of `quiet-x` learns x silently. */
const firstSeen = (learningDays = 0) =>
  declareFirstSeen({
    ...text,
    values: (record) => [secretIdOf(record).replace(/^quiet-/, "")],
    baseline: () => ({ lookbackDays: 30, learningDays }),
    found: (record, fresh) =>
      secretIdOf(record).startsWith("quiet-") ? undefined : { resource: "r", summary: "new", facts: { fresh } },
  });

/** Feed events in the order given (arrival order), each at its own event time. */
async function feed(
  detection: StatefulDetection,
  state: CorrelationStore,
  events: SecurityEvent[],
): Promise<FindingDraft[][]> {
  const results: FindingDraft[][] = [];
  for (const event of events) {
    const context: CorrelationContext = {
      config,
      state,
      now: event.epochMs,
      locate,
      isTrusted: () => false,
      logger: silentLogger,
      tracker: (kind) => kind.create(state, config),
      changed: () => undefined,
    };
    results.push(await detection.correlate(event, context, true));
  }
  return results;
}

/** Which of the events (by index in arrival order) produced a finding. */
const firing = (results: FindingDraft[][]) =>
  results.flatMap((findings, index) => (findings.length > 0 ? [index] : []));

describe.each(stores)("threshold over the %s store", (_name, create) => {
  it("fires on the third event within the window, naming the events it counted, earliest first", async () => {
    const events = [read("a", 0), read("b", 4 * MINUTE), read("c", 9 * MINUTE)];

    const results = await feed(threshold(), await create(), events);

    expect(firing(results)).toEqual([2]);
    expect(results[2]![0]!.eventIds).toEqual(events.map((event) => event.id));
    expect(results[2]![0]!.facts.counted).toEqual(["a", "b", "c"]);
  });

  it("counts only events less than a window apart (edges to the millisecond)", async () => {
    const spanningWindow = await feed(threshold(), await create(), [read("a", 0), read("b", 1), read("c", WINDOW)]);
    const justInside = await feed(threshold(), await create(), [read("a", 0), read("b", 1), read("c", WINDOW - 1)]);

    expect(firing(spanningWindow)).toEqual([]);
    expect(firing(justInside)).toEqual([2]);
  });

  it("fires once per window: a burst that goes on fires again only a window after its finding", async () => {
    const minutes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13];
    const events = minutes.map((minute) => read(`s${minute}`, minute * MINUTE));

    const results = await feed(threshold(), await create(), events);

    // The finding at minute 2 covers until minute 12; the reads at 9, 11 and 12 make the next.
    expect(firing(results).map((index) => minutes[index])).toEqual([2, 12]);
    expect(results[11]![0]!.facts.counted).toEqual(["s3", "s4", "s5", "s6", "s7", "s8", "s9", "s11", "s12"]);
  });

  it("rearmed by count, fires again after as many new events, each finding consuming its own", async () => {
    const events = [0, 1, 2, 3, 4, 5].map((minute) => read(`s${minute}`, minute * MINUTE));

    const results = await feed(threshold("count"), await create(), events);

    expect(firing(results)).toEqual([2, 5]);
    expect(results[5]![0]!.facts.counted).toEqual(["s3", "s4", "s5"]);
  });

  it("counts a late event where it belongs in event time", async () => {
    // Arrival order: minute 0, minute 8, then minute 4 (late): the three lie within one window.
    const results = await feed(threshold(), await create(), [
      read("a", 0),
      read("c", 8 * MINUTE),
      read("b", 4 * MINUTE),
    ]);

    expect(firing(results)).toEqual([2]);
    expect(results[2]![0]!.facts.counted).toEqual(["a", "b", "c"]);
  });

  it("does not fire again for a late event inside a window that already fired", async () => {
    const results = await feed(threshold(), await create(), [
      read("a", 0),
      read("b", 1 * MINUTE),
      read("c", 2 * MINUTE),
      read("d", 4 * MINUTE),
      read("e", 5 * MINUTE),
      read("late", 30_000),
    ]);

    expect(firing(results)).toEqual([2]);
  });

  it("ignores an event a window or more older than the group's newest", async () => {
    const tooLate = await feed(threshold(), await create(), [
      read("a", 8 * MINUTE),
      read("b", 9 * MINUTE),
      read("c", 25 * MINUTE),
      read("late", 15 * MINUTE),
    ]);
    const lateEnough = await feed(threshold(), await create(), [
      read("a", 8 * MINUTE),
      read("b", 9 * MINUTE),
      read("c", 25 * MINUTE - 1),
      read("late", 15 * MINUTE),
    ]);

    expect(firing(tooLate)).toEqual([]);
    expect(firing(lateEnough)).toEqual([3]);
  });

  it("counts a second delivery of the same event once", async () => {
    const first = read("a", 0);

    const results = await feed(threshold(), await create(), [first, first, read("b", MINUTE)]);

    expect(firing(results)).toEqual([]);
  });

  it("forgets a group's state two windows after its newest event", async () => {
    const state = await create();
    await feed(threshold(), state, [read("a", 0), read("b", MINUTE)]);

    expect(await state.get(KEY, T0 + MINUTE + 2 * WINDOW - 1)).toBeDefined();
    expect(await state.get(KEY, T0 + MINUTE + 2 * WINDOW)).toBeUndefined();
  });

  it("keeps groups apart, and counts neither failed calls nor other calls", async () => {
    const results = await feed(threshold(), await create(), [
      read("a", 0, { user: identity.user("bob") }),
      read("b", MINUTE, { user: identity.user("carol") }),
      read("c", 2 * MINUTE, { errorCode: "AccessDeniedException" }),
      call("DescribeSecret", "d", 3 * MINUTE),
      read("e", 4 * MINUTE),
      read("f", 5 * MINUTE),
    ]);

    expect(firing(results)).toEqual([]);
  });
});

describe.each(stores)("distinct count over the %s store", (_name, create) => {
  it("fires on the third distinct value; repeats do not count", async () => {
    const results = await feed(distinct(), await create(), [
      read("a", 0),
      read("a", MINUTE),
      read("b", 2 * MINUTE),
      read("b", 3 * MINUTE),
      read("c", 4 * MINUTE),
    ]);

    expect(firing(results)).toEqual([4]);
    expect(results[4]![0]!.facts.secrets).toEqual(["a", "b", "c"]);
  });

  it("counts a value at its latest sighting", async () => {
    // a at 0 and again at 9: the window ending at 10.5 holds b, a and c.
    const results = await feed(distinct(), await create(), [
      read("a", 0),
      read("b", MINUTE),
      read("a", 9 * MINUTE),
      read("c", 10.5 * MINUTE),
    ]);

    expect(firing(results)).toEqual([3]);
    expect(results[3]![0]!.facts.secrets).toEqual(["b", "a", "c"]);
  });

  it("does not count values a window apart", async () => {
    const results = await feed(distinct(), await create(), [read("a", 0), read("b", MINUTE), read("c", WINDOW)]);

    expect(firing(results)).toEqual([]);
  });

  it("fires once per window, then again for values read a window later", async () => {
    const results = await feed(distinct(), await create(), [
      read("a,b,c", 0),
      read("d", MINUTE),
      read("e,f,g", 2 * MINUTE),
      read("a,b,c", 10 * MINUTE),
    ]);

    expect(firing(results)).toEqual([0, 3]);
    // Values the first finding spent count again only when read again.
    expect(results[3]![0]!.facts.secrets).toEqual(["d", "e", "f", "g", "a", "b", "c"]);
  });

  it("completes a window with a late value", async () => {
    const results = await feed(distinct(), await create(), [
      read("a", 0),
      read("c", 6 * MINUTE),
      read("b", 3 * MINUTE),
    ]);

    expect(firing(results)).toEqual([2]);
    expect(results[2]![0]!.facts.secrets).toEqual(["a", "b", "c"]);
  });

  it("keeps a group's state bounded however many values it reads", async () => {
    const state = await create();
    const many = Array.from({ length: 40 }, (_, index) => `secret-${index}`).join(",");

    await feed(distinct(), state, [read(many, 0)]);
    const stored = await state.get<{ sightings: unknown[] }>(KEY, T0);

    expect(stored?.value.sightings).toHaveLength(2 * 3 + 16);
  });
});

describe.each(stores)("first seen over the %s store", (_name, create) => {
  it("reports a value new to a group that has a baseline, once", async () => {
    const events = [read("a", 0), read("a", DAY), read("b", 2 * DAY), read("b", 3 * DAY)];

    const results = await feed(firstSeen(), await create(), events);

    expect(firing(results)).toEqual([2]);
    expect(results[2]![0]!.facts.fresh).toEqual(["b"]);
    expect(results[2]![0]!.eventIds).toEqual([(events[2]!.envelope.detail as { eventID: string }).eventID]);
  });

  it("reports nothing while the group's baseline is younger than the learning period", async () => {
    const results = await feed(firstSeen(7), await create(), [
      read("a", 0),
      read("b", 6 * DAY),
      read("c", 7 * DAY - 1),
      read("d", 7 * DAY),
    ]);

    expect(firing(results)).toEqual([3]);
  });

  it("forgets values not seen for the lookback, and a group with nothing left starts again", async () => {
    const results = await feed(firstSeen(), await create(), [
      read("a", 0),
      read("b", DAY),
      // Both forgotten by day 40: a is new, but there is no baseline to be new against.
      read("a", 40 * DAY),
      read("b", 41 * DAY),
    ]);

    expect(firing(results)).toEqual([1, 3]);
  });

  it("learns a value it does not report, and does not report a late event's value already known", async () => {
    const results = await feed(firstSeen(), await create(), [
      read("a", 0),
      read("quiet-b", DAY),
      read("b", 2 * DAY),
      read("c", 20 * DAY),
      // Late: c is known already (since day 20).
      read("c", 15 * DAY),
    ]);

    expect(firing(results)).toEqual([3]);
  });
});
