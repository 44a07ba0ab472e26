import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { consoleLogin, IP } from "../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../config/load.js";
import { scanFiles } from "./scan.js";

describe("scanFiles", () => {
  it.each([0, 1])("counts events that came too late to be ordered (%i reader threads)", async (readers) => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-scan-late-"));
    const login = (time: string) => JSON.stringify(consoleLogin(false, { time, ip: IP.germany }));
    // Read in name order: b's 10:05 arrives after a's 11:00 was processed (more than 15 min later).
    writeFileSync(
      join(dir, "a.jsonl"),
      [login("2024-05-01T10:00:00Z"), login("2024-05-01T11:00:00Z"), login("2024-05-01T11:30:00Z")].join("\n"),
    );
    writeFileSync(join(dir, "b.jsonl"), login("2024-05-01T10:05:00Z"));
    const times: string[] = [];

    const summary = await scanFiles({
      paths: [dir],
      config: parseConfig({}),
      readers,
      onFinding: (finding) => {
        times.push(finding.time);
      },
      onError: (error) => {
        throw new Error(error.reason);
      },
    });

    expect(summary).toMatchObject({ events: 4, lateEvents: 1 });
    expect(times).toEqual([
      "2024-05-01T10:00:00Z",
      "2024-05-01T11:00:00Z",
      "2024-05-01T10:05:00Z",
      "2024-05-01T11:30:00Z",
    ]);
  });

  it.each([0, 1])("reports a finding found twice (a duplicated log file) once (%i reader threads)", async (readers) => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-scan-twice-"));
    const failed = JSON.stringify(consoleLogin(false, { time: "2024-05-01T10:00:00Z", ip: IP.germany }));
    writeFileSync(join(dir, "a.jsonl"), failed);
    writeFileSync(join(dir, "copy-of-a.jsonl"), failed);
    const detections: string[] = [];

    try {
      const summary = await scanFiles({
        paths: [dir],
        config: parseConfig({}),
        readers,
        onFinding: (finding) => {
          detections.push(finding.detection);
        },
        onError: (error) => {
          throw new Error(error.reason);
        },
      });

      expect(summary).toMatchObject({ events: 2, findings: detections.length });
      expect(detections.length).toBeGreaterThan(0);
      expect(new Set(detections).size).toBe(detections.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
