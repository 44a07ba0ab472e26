import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { consoleLogin, createAccessKey, IP } from "../../test/fixtures/events/cloudtrail.js";
import { parseConfig } from "../config/load.js";
import { detectionPattern } from "../detections/catalog.js";
import { normalizeRecords } from "../events/index.js";
import { createLogger } from "../log.js";
import { buildEngineIndex, enabledSpecs } from "./engine-index.js";
import { scanFiles } from "./scan.js";

// Extra patterns (`npm run bench -- scan` adds 306 to measure matching at 340) are matched and dropped.
const config = parseConfig({});
const specs = enabledSpecs(config);
const copies = specs.map((spec) => detectionPattern(spec, config));

describe("extra patterns", () => {
  it("are registered after the detections' but left out of every match", () => {
    const plain = buildEngineIndex(enabledSpecs(config), config);
    const extended = buildEngineIndex(enabledSpecs(config), config, copies);

    expect(extended.index.size).toBe(plain.index.size + copies.length);
    expect(extended.signature).toBe(`${plain.signature}${",extra:".repeat(copies.length)}`);
    const { events } = normalizeRecords({
      Records: [
        consoleLogin(false, { ip: IP.germany }),
        createAccessKey("bob"),
        consoleLogin(true, { user: { type: "Root", arn: "arn:aws:iam::123456789012:root" } }),
      ],
    });
    for (const event of events) {
      const matched = extended.index.match(event.envelope);
      expect(matched.length).toBeGreaterThan(0);
      expect(matched.map((entry) => entry.id)).toEqual(plain.index.match(event.envelope).map((entry) => entry.id));
    }
  });

  it.each([0, 1])("change no finding of a scan (%i reader threads)", async (readers) => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-scan-extra-"));
    const minute = (m: number) => `2024-05-01T10:0${m}:00Z`;
    const records = [
      ...[0, 1, 2, 3].map((m) => consoleLogin(false, { time: minute(m), ip: IP.germany })),
      createAccessKey("bob", "AKIANEWKEYEXAMPLE0001", { time: minute(5) }),
    ];
    writeFileSync(join(dir, "events.jsonl"), records.map((entry) => JSON.stringify(entry)).join("\n"));
    // A reader thread that built a different index would make the scan fall back to one thread.
    const logged: string[] = [];
    const logger = createLogger({ level: "warn", sink: (line) => logged.push(line) });
    const scan = async (extraPatterns?: Record<string, unknown>[]) => {
      const found: string[] = [];
      const summary = await scanFiles({
        paths: [dir],
        config,
        readers,
        extraPatterns,
        logger,
        onFinding: (finding) => {
          found.push(`${finding.detection}@${finding.time}`);
        },
        onError: (error) => {
          throw new Error(error.reason);
        },
      });
      return { found, events: summary.events };
    };

    const plain = await scan();
    expect(plain.found.length).toBeGreaterThan(1);
    expect(await scan(copies)).toEqual(plain);
    expect(logged).toEqual([]);
  });
});
