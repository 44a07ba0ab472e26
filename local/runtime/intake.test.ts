import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { consoleLogin } from "../../test/fixtures/events/cloudtrail.js";
import { type DetectionDatabase, openDetectionDatabase } from "./detection-db.js";
import { EventInbox } from "./inbox.js";
import { createInboxIntake, intakeBounds } from "./intake.js";
import { AsyncLock } from "./lock.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const opened: { db: DetectionDatabase; dir: string }[] = [];
afterEach(() => {
  for (const { db, dir } of opened.splice(0)) {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function setUp(runtime: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "riposte-intake-"));
  const db = openDetectionDatabase(dir);
  opened.push({ db, dir });
  const inbox = new EventInbox(db, new AsyncLock(), () => NOW);
  const intake = createInboxIntake(inbox, { bounds: intakeBounds(parseConfig({ runtime }).runtime), now: () => NOW });
  return { inbox, intake };
}

describe("POST /api/events intake on one machine", () => {
  it("persists the events within the bounds and names each refused one by index with the reason", async () => {
    // Arrange: the default bounds (64 KiB a record, 32 KiB a field, 15 minutes ahead).
    const { inbox, intake } = setUp();
    const body = {
      Records: [
        consoleLogin(false, { time: "2026-06-01T11:00:00Z", eventId: "kept-1" }),
        consoleLogin(false, { time: "2026-06-01T11:00:01Z", userAgent: "A".repeat(1024 * 1024) }),
        consoleLogin(false, { time: "2099-01-01T00:00:00Z" }),
        consoleLogin(false, { time: "2026-06-01T11:00:02Z", eventId: "kept-2" }),
      ],
    };

    // Act
    const answer = await intake(body);

    // Assert
    expect(answer).toEqual({
      accepted: 2,
      rejected: 2,
      errors: [
        { index: 1, error: "record.userAgent is 1024 KiB; a single field may hold at most 32 KiB" },
        {
          index: 2,
          error:
            "eventTime 2099-01-01T00:00:00Z is in the future (server time 2026-06-01T12:00:00.000Z; at most 15 minutes ahead is accepted)",
        },
      ],
    });
    expect(inbox.takePending(10).map((entry) => entry.event.id)).toEqual(["kept-1", "kept-2"]);
  });

  it("takes its bounds from the configuration", async () => {
    const { intake } = setUp({
      maxEventFieldBytes: 192 * 1024,
      maxEventBytes: 192 * 1024,
      maxEventFutureMinutes: 0,
    });

    const answer = await intake([
      consoleLogin(false, { time: "2026-06-01T11:00:00Z", userAgent: "A".repeat(100 * 1024) }),
      consoleLogin(false, { time: "2026-06-01T12:00:01Z" }),
    ]);

    expect(answer.accepted).toBe(1);
    expect(answer.errors).toEqual([{ index: 1, error: expect.stringMatching(/at most 0 minutes ahead/) }]);
  });
});
