import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { consoleLogin, IP } from "../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../config/load.js";
import type { Finding } from "../model/incident.js";
import { scanFiles } from "./scan.js";
import { MAX_READERS, PARALLEL_MIN_BYTES, readerCount, type ScanStart, startScan } from "./scan-start.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Three JSON Lines files of logins from two countries (impossible travel fires). */
function corpus(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-scan-start-"));
  made.push(dir);
  const login = (minute: number, ip: string) =>
    JSON.stringify(consoleLogin(true, { time: new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString(), ip }));
  for (let i = 0; i < 3; i++)
    writeFileSync(join(dir, `f${i}.jsonl`), `${login(2 * i, IP.germany)}\n${login(2 * i + 1, IP.china)}\n`);
  return dir;
}

async function findingsOf(paths: string[], options: { readers?: number; start?: ScanStart }): Promise<Finding[]> {
  const findings: Finding[] = [];
  await scanFiles({
    paths,
    config: parseConfig({}),
    ...options,
    onFinding: (finding) => {
      findings.push(finding);
    },
    onError: (error) => {
      throw new Error(error.reason);
    },
  });
  return findings;
}

describe("readerCount", () => {
  const files = (count: number, size: number) => Array.from({ length: count }, (_, i) => ({ path: `f${i}`, size }));

  it("takes the number asked for, at most one per file and MAX_READERS", () => {
    expect(readerCount(files(3, 1), 2)).toBe(2);
    expect(readerCount(files(3, 1), 8)).toBe(3);
    expect(readerCount(files(40, 1), 99)).toBe(MAX_READERS);
    expect(readerCount(files(3, 1), 0)).toBe(0);
    expect(readerCount([], 4)).toBe(0);
  });

  it("starts none by default below PARALLEL_MIN_BYTES", () => {
    expect(readerCount(files(4, PARALLEL_MIN_BYTES / 8))).toBe(0);
  });
});

describe("startScan", () => {
  it("lists the input and starts the reader threads asked for; the scan takes them and stops them", async () => {
    // Arrange
    const dir = corpus();
    const inThread = await findingsOf([dir], { readers: 0 });
    const start = startScan([dir], 2);

    // Act
    const findings = await findingsOf([dir], { readers: 2, start });

    // Assert
    expect(start.listing.files.map((file) => file.path)).toEqual([0, 1, 2].map((i) => join(dir, `f${i}.jsonl`)));
    expect(start.threads?.workers).toHaveLength(2);
    expect(inThread.length).toBeGreaterThan(0);
    expect(findings).toEqual(inThread);
    expect(start.threads?.stopped.every((reason) => reason !== undefined)).toBe(true);
  }, 60_000);

  it("is stopped, and not used, by a scan of other paths", async () => {
    const dir = corpus();
    const other = startScan([corpus()], 1);

    const findings = await findingsOf([dir], { readers: 1, start: other });

    expect(findings).toEqual(await findingsOf([dir], { readers: 0 }));
    expect(other.threads?.stopped).toEqual([expect.any(Error)]);
  }, 60_000);

  it("stops its threads when cancelled (a scan that will not run)", async () => {
    const start = startScan([corpus()], 2);

    await start.cancel();

    expect(start.threads?.stopped).toEqual([expect.any(Error), expect.any(Error)]);
  });

  it("starts no thread for an input that is not worth it", () => {
    expect(startScan([corpus()]).threads).toBeUndefined();
    expect(startScan([corpus()], 0).threads).toBeUndefined();
  });
});
