import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { consoleLogin, IP } from "../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../config/load.js";
import { listInputFiles } from "../events/files.js";
import { readListedFiles } from "../events/read.js";
import { buildEngineIndex, enabledSpecs } from "./engine-index.js";
import { type ReaderPoolStats, readPrepared } from "./scan-readers.js";

const config = parseConfig({});
const signature = buildEngineIndex(enabledSpecs(config), config).signature;

/** `count` JSON Lines files of two logins each, and one empty file (it yields no batch). */
function corpus(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-readers-"));
  const login = (minute: number) =>
    JSON.stringify(
      consoleLogin(false, { time: new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString(), ip: IP.germany }),
    );
  for (let i = 0; i < count; i++) {
    writeFileSync(join(dir, `f${String(i).padStart(3, "0")}.jsonl`), `${login(2 * i)}\n${login(2 * i + 1)}\n`);
  }
  writeFileSync(join(dir, "f005b.jsonl"), "");
  return dir;
}

/** Waits for something the reader threads do (no time is asserted: the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

describe("scan reader threads", () => {
  it("never let a reader post more than maxInFlight messages ahead of the engine, and share the files", async () => {
    const dir = corpus(24);
    const { files } = await listInputFiles([dir]);
    const stats: ReaderPoolStats = { maxUnacknowledged: 0, filesByReader: [] };
    const times: number[] = [];

    for await (const batch of readPrepared({ files, config, readers: 2, signature, maxInFlight: 2, stats })) {
      for (const item of batch) {
        if ("error" in item) throw new Error(item.error.reason);
        times.push(item.epochMs);
      }
      // A slow engine: both readers run ahead until the bound stops them.
      await until(() => stats.maxUnacknowledged >= 2 || times.length >= 48);
      await sleep(10);
    }

    // The same events in file order as reading in this thread.
    const expected: number[] = [];
    for await (const batch of readListedFiles(files)) {
      for (const item of batch.items) if ("event" in item) expected.push(item.event.epochMs);
    }
    expect(times).toEqual(expected);
    expect(times).toHaveLength(48);
    expect(stats.maxUnacknowledged).toBe(2);
    // Every file was read once, by whichever reader was free: both were (one alone is blocked by the bound).
    expect(stats.filesByReader.reduce((a, b) => a + b, 0)).toBe(files.length);
    expect(stats.filesByReader.every((n) => n > 0)).toBe(true);
  }, 60_000);
});
