import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IP, iam } from "../../test/fixtures/events/cloudtrail.js";
import { at } from "../../test/fixtures/events/scenarios.js";
import { parseConfig } from "../config/load.js";
import { readListedFiles } from "../events/read.js";
import type { SecurityEvent } from "../model/event.js";
import type { Finding } from "../model/incident.js";
import { MemoryCorrelationStore } from "../store/memory-correlation.js";
import { createPreparedDetectionEngine } from "./engine.js";
import { buildEngineIndex, enabledSpecs } from "./engine-index.js";
import type { PreparedEvent } from "./prepared.js";
import { BatchDecoder, BatchEncoder } from "./prepared-batch.js";

const config = parseConfig({});

/** The file's events as read in-thread, and as a reader thread prepares them (encoded, then decoded). */
async function readBothWays(records: object[]) {
  const path = join(mkdtempSync(join(tmpdir(), "riposte-settle-")), "trail.json");
  writeFileSync(path, JSON.stringify({ Records: records }));
  const events: SecurityEvent[] = [];
  const prepared: PreparedEvent[] = [];
  const encoder = new BatchEncoder(buildEngineIndex(enabledSpecs(config), config));
  const decoder = new BatchDecoder();
  for await (const batch of readListedFiles([{ path, size: statSync(path).size }], { capture: true })) {
    for (const item of batch.items) if ("event" in item) events.push(item.event);
    for (const item of decoder.decode(encoder.encode(batch, 0).message, 0, path)) {
      if ("error" in item) throw new Error(item.error.reason);
      prepared.push(item);
    }
  }
  return { events, prepared };
}

/** Prepared events that count how many were rebuilt. */
function counting(prepared: PreparedEvent[]) {
  const rebuilt: number[] = [];
  const events = prepared.map((event, index) => ({
    epochMs: event.epochMs,
    entryIds: event.entryIds,
    skipFacts: () => event.skipFacts(),
    materialize: () => {
      rebuilt.push(index);
      return event.materialize();
    },
  }));
  return { events, rebuilt };
}

const summaries = (findings: Finding[]) => findings.map((finding) => [finding.detection, finding.summary]);

describe("prepared events settled from their facts", () => {
  it("find what the records find: a principal's repeat visits from one address move where it was last seen", async () => {
    // Arrange: one access key, London again and again (minutes apart), then China a minute after
    // the last London call; then China again, with a failed call between.
    const call = (minute: number, ip: string, errorCode?: string) =>
      iam("ListUsers", null, null, { time: at(minute), ip, ...(errorCode ? { errorCode } : {}) });
    const records = [
      call(0, IP.london),
      call(2, IP.london),
      call(10, IP.london),
      call(11, IP.china),
      call(30, IP.china),
      call(31, IP.china, "AccessDenied"),
      call(45, IP.china),
    ];
    const { events, prepared } = await readBothWays(records);
    const { events: counted, rebuilt } = counting(prepared);
    const inThread = createPreparedDetectionEngine({ config, state: new MemoryCorrelationStore() });
    const fromReaders = createPreparedDetectionEngine({ config, state: new MemoryCorrelationStore() });

    // Act
    const expected = [...(await inThread.processBatch(events)), ...(await inThread.finish())];
    const found = [...(await fromReaders.processPrepared(counted)), ...(await fromReaders.finish())];

    // Assert: the same findings; the journey measured from the last London call (a minute), not
    // the first one, so the repeats were written without their records.
    expect(summaries(found)).toEqual(summaries(expected));
    const travel = found.filter((finding) => finding.detection === "impossible-travel");
    expect(travel).toHaveLength(1);
    expect(travel[0]!.eventIds).toEqual([records[2]!.eventID, records[3]!.eventID]);
    expect(travel[0]!.summary).toContain("1 minutes later");
    // Rebuilt: the first call (nothing known), the move to China; not the repeats, not the failure.
    expect(rebuilt).toEqual([0, 3]);
  });
});
