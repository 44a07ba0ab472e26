import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type LogFields } from "../../core/log.js";
import type { SecurityEvent } from "../../core/model/event.js";
import { type DetectionDatabase, openDetectionDatabase } from "../runtime/detection-db.js";
import { EventInbox } from "../runtime/inbox.js";
import { AsyncLock } from "../runtime/lock.js";
import { SourcePositions } from "../runtime/positions.js";
import type { SourceContext } from "./source.js";

/**
 * What the live-source tests run a source against: the real detection database of a data
 * directory (inbox and positions), and a logger whose JSON lines the test can read. Opening the
 * same data directory again is what a restart does.
 */
export interface SourceHarness {
  dataDir: string;
  db: DetectionDatabase;
  context: SourceContext;
  /** Every log line written so far, parsed. */
  logs: LogFields[];
  /** The events waiting in the inbox, oldest first. */
  pending(): SecurityEvent[];
  close(): void;
}

export function openSourceHarness(dataDir = mkdtempSync(join(tmpdir(), "riposte-source-"))): SourceHarness {
  const db = openDetectionDatabase(dataDir);
  const lock = new AsyncLock();
  const logs: LogFields[] = [];
  const logger = createLogger({ level: "debug", sink: (line) => logs.push(JSON.parse(line) as LogFields) });
  const context: SourceContext = {
    inbox: new EventInbox(db, lock),
    positions: new SourcePositions(db, lock),
    logger,
    now: Date.now,
  };
  return {
    dataDir,
    db,
    context,
    logs,
    pending: () => context.inbox.takePending(100_000).map((entry) => entry.event),
    close: () => db.close(),
  };
}

/** Resolve once `check` holds (polled), or fail naming `what`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
