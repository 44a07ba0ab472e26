import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { identity, record } from "../../test/fixtures/events/cloudtrail.js";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import { parseConfig } from "../config/load.js";
import type { Json } from "../detections/record.js";
import { activeEntries, buildEngineIndex, enabledSpecs, type IndexEntry } from "../engine/engine-index.js";
import { scanFiles } from "../engine/scan.js";
import { createLogger } from "../log.js";
import type { Finding } from "../model/incident.js";
import { parseRuleText } from "./parse-text.js";

describe("scan with users' rules", () => {
  it("reader threads build the same index with the rules, and the rule fires", async () => {
    const parsed = parseRuleText(GOOD_YAML, "a.yml");
    if (!("rule" in parsed)) throw new Error("bad fixture");
    const dir = mkdtempSync(join(tmpdir(), "riposte-rules-scan-"));
    const user = record("iam.amazonaws.com", "CreateUser", { userName: "x" }, null, { user: identity.root() });
    // Its pattern matches, its condition (not from the console) does not: dropped in the reader.
    const fromConsole = { ...user, eventID: "console-create-user", userAgent: "console.amazonaws.com" };
    writeFileSync(join(dir, "trail.json"), JSON.stringify({ Records: [user, fromConsole] }));
    const warnings: string[] = [];
    for (const readers of [0, 1]) {
      const findings: Finding[] = [];
      const summary = await scanFiles({
        paths: [dir],
        config: parseConfig({}),
        rules: [parsed.rule],
        readers,
        // Falling back to one thread (a reader built another index) is logged: it must not happen.
        logger: createLogger({ level: "warn", sink: (line) => warnings.push(line) }),
        onFinding: (finding) => {
          findings.push(finding);
        },
        onError: (error) => {
          throw new Error(error.reason);
        },
      });
      expect(summary.byDetection["root-created-user"]?.count).toBe(1);
      expect(findings.filter((finding) => finding.detection === "root-created-user")[0]?.eventIds).toEqual([
        user.eventID,
      ]);
      expect(warnings).toEqual([]);
      expect(findings.find((finding) => finding.detection === "root-created-user")?.rule?.attack?.id).toBe("T1136.003");
    }
  });

  it("a matched event that fails a rule's condition is left out where it is matched (activeEntries)", () => {
    const parsed = parseRuleText(GOOD_YAML, "a.yml");
    if (!("rule" in parsed)) throw new Error("bad fixture");
    const config = parseConfig({});
    const engineIndex = buildEngineIndex(enabledSpecs(config, undefined, [parsed.rule]), config);
    const user = record("iam.amazonaws.com", "CreateUser", { userName: "x" }, null, { user: identity.root() });
    const ruleEntries = (detail: Json) =>
      activeEntries(
        engineIndex.index.match({ source: "aws.iam", "detail-type": "AWS API Call via CloudTrail", detail }),
        detail,
      ).filter((entry) => entry.spec?.id === "root-created-user");

    expect(ruleEntries(user as Json)).toHaveLength(1);
    expect(ruleEntries({ ...user, userAgent: "console.amazonaws.com" } as Json)).toEqual([]);
  });

  it("a condition that throws keeps the entry, so the engine's evaluate reports the failure", () => {
    const throwing: IndexEntry = {
      id: 0,
      role: "trigger",
      qualifies: () => {
        throw new RangeError("too deep");
      },
    };
    const refusing: IndexEntry = { id: 1, role: "trigger", qualifies: () => false };

    expect(activeEntries([throwing, refusing], {})).toEqual([throwing]);
  });

  it("tests each entry's condition once per event, whatever the others answer", () => {
    const calls = [0, 0, 0];
    const entry = (id: number, answer: boolean): IndexEntry => ({
      id,
      role: "trigger",
      qualifies: () => {
        calls[id]!++;
        return answer;
      },
    });
    const entries = [entry(0, true), entry(1, false), entry(2, true)];

    expect(activeEntries(entries, {}).map((kept) => kept.id)).toEqual([0, 2]);
    expect(calls).toEqual([1, 1, 1]);
    const alternating = [entry(0, false), entry(1, true), entry(2, false)];
    expect(activeEntries(alternating, {}).map((kept) => kept.id)).toEqual([1]);
    // Nothing refused: the list it was given, not a copy.
    const kept = [entry(0, true), entry(2, true)];
    expect(activeEntries(kept, {})).toBe(kept);
  });
});
