import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { identity, record } from "../../test/fixtures/events/cloudtrail.js";
import { GOOD_YAML } from "../../test/fixtures/rules/own-rules.js";
import { parseConfig } from "../config/load.js";
import { scanFiles } from "../engine/scan.js";
import { createLogger } from "../log.js";
import type { Finding } from "../model/incident.js";
import { parseRuleText } from "./load.js";

describe("scan with users' rules", () => {
  it("reader threads build the same index with the rules, and the rule fires", async () => {
    const parsed = parseRuleText(GOOD_YAML, "a.yml");
    if (!("rule" in parsed)) throw new Error("bad fixture");
    const dir = mkdtempSync(join(tmpdir(), "riposte-rules-scan-"));
    const user = record("iam.amazonaws.com", "CreateUser", { userName: "x" }, null, { user: identity.root() });
    writeFileSync(join(dir, "trail.json"), JSON.stringify({ Records: [user] }));
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
      expect(warnings).toEqual([]);
      expect(findings.find((finding) => finding.detection === "root-created-user")?.rule?.attack?.id).toBe("T1136.003");
    }
  });
});
