import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { normalizeRecords } from "../../core/events/index.js";
import { incidentIdFor } from "../../core/incidents/id.js";
import type { Finding } from "../../core/model/incident.js";
import { consoleLogin } from "../../test/fixtures/events/cloudtrail.js";
import type { SourceStatus } from "../sources/source.js";
import { type DetectionDatabase, openDetectionDatabase } from "./detection-db.js";
import type { DetectionLoop, DetectionLoopStats } from "./detection-loop.js";
import { localHealth } from "./health.js";
import { EventInbox } from "./inbox.js";
import { AsyncLock } from "./lock.js";
import { FindingOutbox } from "./outbox.js";

/**
 * The intake entry of `/api/health`: its lag is how long the oldest event not yet detected has
 * waited in the durable inbox (a real one, in a temporary data directory, on a clock the test
 * moves); the newest event time and any error come from the detection loop.
 */

const T0 = Date.parse("2024-07-01T10:00:00Z");
const databases: DetectionDatabase[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

function events(...ids: string[]) {
  const records = ids.map((eventId) => consoleLogin(false, { eventId, time: "2024-07-01T09:59:00Z" }));
  return normalizeRecords({ Records: records }, "test").events;
}

function setUp(sources: () => SourceStatus[] = () => []) {
  const db = openDetectionDatabase(mkdtempSync(join(tmpdir(), "riposte-health-intake-")));
  databases.push(db);
  const clock = { now: T0 };
  const inbox = new EventInbox(db, new AsyncLock(), () => clock.now);
  const outbox = new FindingOutbox(db, () => clock.now);
  const stats: DetectionLoopStats = { processed: 0, findings: 0, started: 0, deadLettered: 0, deadLetteredFindings: 0 };
  const loop: DetectionLoop = {
    start() {},
    wake() {},
    drained: async () => {},
    stop: async () => {},
    stats: () => ({ ...stats }),
  };
  const health = localHealth({
    version: "9.9.9",
    startedAt: new Date(T0).toISOString(),
    mode: "dry-run",
    inbox,
    outbox,
    loop,
    sources,
    now: () => clock.now,
  });
  return { inbox, outbox, stats, clock, health };
}

describe("/api/health: the intake queue", () => {
  it("has no lag while nothing waits, and is ok", () => {
    const { health } = setUp();

    expect(health()).toEqual({
      status: "ok",
      version: "9.9.9",
      startedAt: new Date(T0).toISOString(),
      remediation: "dry-run",
      counts: {
        pendingEvents: 0,
        queuedFindings: 0,
        deadLetteredEvents: 0,
        deadLetteredFindings: 0,
        sources: 1,
        failingSources: 0,
      },
      sources: [{ name: "intake", lagSeconds: 0 }],
    });
  });

  it("lags by how long the oldest pending event has waited, and not at all once it is detected", async () => {
    const { inbox, clock, health } = setUp();
    await inbox.add(events("first-a", "first-b"), "test");
    clock.now = T0 + 30_000;
    await inbox.add(events("later"), "test");
    clock.now = T0 + 90_500;

    expect(health().sources?.[0]).toEqual({ name: "intake", lagSeconds: 90.5 });

    // The two oldest are detected: the lag is now that of the one that arrived 30 s after them.
    const pending = inbox.takePending(10);
    inbox.markProcessed(pending.filter((entry) => entry.event.id.startsWith("first")).map((entry) => entry.seq));
    expect(health().sources?.[0]?.lagSeconds).toBe(60.5);

    inbox.markProcessed(pending.map((entry) => entry.seq));
    expect(health().sources?.[0]?.lagSeconds).toBe(0);
  });

  it("shows the newest event detected and a detection error (degraded), then each live source", () => {
    const sources: SourceStatus[] = [{ name: "watch /logs", lagSeconds: 4 }];
    const { stats, health } = setUp(() => sources);
    stats.latestEventMs = T0 - 60_000;
    stats.lastError = "DatabaseFailure: disk I/O error";

    expect(health()).toMatchObject({
      status: "degraded",
      sources: [
        {
          name: "intake",
          lagSeconds: 0,
          lastEventAt: new Date(T0 - 60_000).toISOString(),
          error: "DatabaseFailure: disk I/O error",
        },
        { name: "watch /logs", lagSeconds: 4 },
      ],
    });

    stats.lastError = undefined;
    expect(health().status).toBe("ok");
  });

  it("counts pending events, queued and dead-lettered findings, and lists the dead letters newest first", async () => {
    // Arrange: two events pending, three findings queued, two of them then set aside.
    const { inbox, outbox, clock, health } = setUp(() => [{ name: "sqs queue", error: "ECONNREFUSED" }]);
    await inbox.add(events("pending-a", "pending-b"), "test");
    const finding = (eventId: string) =>
      ({ detection: "sg-ssh-open-world", category: "network", eventIds: [eventId] }) as unknown as Finding;
    outbox.put([finding("one"), finding("two"), finding("three")]);
    outbox.deadLetter(incidentIdFor(finding("one")), "InvalidExecutionInput: the execution input exceeds 256 KiB");
    clock.now = T0 + 1000;
    outbox.deadLetter(incidentIdFor(finding("two")), "InvalidName: invalid execution name");

    // Act
    const body = health();

    // Assert
    expect(body.counts).toEqual({
      pendingEvents: 2,
      queuedFindings: 1,
      deadLetteredEvents: 0,
      deadLetteredFindings: 2,
      sources: 2,
      failingSources: 1,
    });
    expect(body.deadLetters).toEqual([
      {
        incidentId: incidentIdFor(finding("two")),
        detection: "sg-ssh-open-world",
        failedAt: new Date(T0 + 1000).toISOString(),
        reason: "InvalidName: invalid execution name",
      },
      {
        incidentId: incidentIdFor(finding("one")),
        detection: "sg-ssh-open-world",
        failedAt: new Date(T0).toISOString(),
        reason: "InvalidExecutionInput: the execution input exceeds 256 KiB",
      },
    ]);
  });
});
