import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { SecurityEvent } from "../../core/model/event.js";
import type { DetectionDatabase } from "../../local/runtime/detection-db.js";
import type { DetectionLoop } from "../../local/runtime/detection-loop.js";

/** What a detection-loop test opens: the loop, its database and the directory holding it. */
export interface OpenedLoop {
  db: DetectionDatabase;
  dir: string;
  loop: DetectionLoop;
}

/**
 * Registers an `afterEach` that stops every loop the test opened, closes its database and removes
 * its directory; returns the function a test hands each opened loop to.
 */
export function closeLoopsAfterEach(): (opened: OpenedLoop) => void {
  const opened: OpenedLoop[] = [];
  afterEach(async () => {
    for (const { db, dir, loop } of opened.splice(0)) {
      await loop.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return (entry) => {
    opened.push(entry);
  };
}

/** A directory of its own for a loop's database (removed by `closeLoopsAfterEach`). */
export const loopDir = (): string => mkdtempSync(join(tmpdir(), "riposte-detection-loop-"));

/** A bare event: only what the loop reads (id and time); the engine is the test's own. */
export function testEvent(id: string, epochMs: number): SecurityEvent {
  return { id, epochMs, source: "test", name: "TestEvent" } as unknown as SecurityEvent;
}
