import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadRules } from "../../../core/rules/load.js";
import { SIGMA_CASES } from "../../../test/fixtures/sigma/cases.js";
import { main } from "../main.js";

function capture(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

describe("riposte rules import-sigma", () => {
  it("writes loadable rule files, reports each rule and the share translated cleanly, and scan runs them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-sigma-"));
    mkdirSync(join(dir, "sigma", "nested"), { recursive: true });
    for (const [index, testCase] of SIGMA_CASES.entries()) {
      writeFileSync(join(dir, "sigma", index % 2 ? "nested" : "", `case-${index}.yml`), testCase.yaml);
    }
    const c = capture(dir);
    const code = await main(["rules", "import-sigma", "sigma", "--out", "rules"], c.io);
    expect(code).toBe(0);
    const lines = c.out().trim().split("\n");
    const clean = SIGMA_CASES.filter((testCase) => testCase.outcome === "clean").length;
    const caveat = SIGMA_CASES.filter((testCase) => testCase.outcome === "caveat").length;
    const refused = SIGMA_CASES.length - clean - caveat;
    expect(lines.filter((line) => line.startsWith("translated  "))).toHaveLength(clean);
    expect(lines.filter((line) => line.startsWith("caveat      "))).toHaveLength(caveat);
    expect(lines.filter((line) => line.startsWith("refused     "))).toHaveLength(refused);
    expect(lines).toContain(
      'refused     sigma/nested/case-15.yml: base rule "some-rule" is not among the imported Sigma rules (by name or id)',
    );
    expect(lines.at(-1)).toBe(
      `${SIGMA_CASES.length} Sigma rules: ${clean} translated cleanly (${Math.round((clean / SIGMA_CASES.length) * 1000) / 10} %), ${caveat} with a caveat, ${refused} refused; rule files in rules`,
    );
    expect(readdirSync(join(dir, "rules"))).toHaveLength(clean + caveat);
    const loaded = await loadRules(join(dir, "rules"));
    expect(loaded.problems).toEqual([]);
    expect(loaded.rules).toHaveLength(clean + caveat);

    const firing = SIGMA_CASES[0]!.fires!;
    writeFileSync(join(dir, "trail.json"), JSON.stringify({ Records: firing }));
    const scan = capture(dir);
    await main(["scan", "--format", "jsonl", "--rules", "rules", "trail.json"], scan.io);
    expect(scan.out()).toMatch(/"detection":"sigma-test-one-call"/);
  });

  it("imports a correlation rule and its base rule from one file, folds the base rule in, and scan fires on the sequence", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-sigma-corr-"));
    writeFileSync(
      join(dir, "reads.yml"),
      `title: Test many reads
id: 5e000000-0000-4000-8000-0000000000c2
correlation:
    type: event_count
    rules:
        - test_read
    group-by:
        - userIdentity.arn
    timespan: 5m
    condition:
        gte: 3
level: high
---
title: Test read
name: test_read
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: secretsmanager.amazonaws.com
        eventName: GetSecretValue
    condition: selection
level: low
`,
    );
    const c = capture(dir);
    expect(await main(["rules", "import-sigma", "reads.yml", "--out", "rules"], c.io)).toBe(0);
    expect(c.out().trim().split("\n")).toEqual([
      "translated  reads.yml#1 → sigma-test-many-reads",
      "folded      reads.yml#2: counted by the correlation rule reads.yml#1",
      "1 Sigma rule: 1 translated cleanly (100 %), 0 with a caveat, 0 refused, 1 folded into correlation rules; rule files in rules",
    ]);

    const read = (minute: number) => ({
      eventVersion: "1.09",
      eventTime: `2026-03-01T10:0${minute}:00Z`,
      eventSource: "secretsmanager.amazonaws.com",
      eventName: "GetSecretValue",
      awsRegion: "us-east-1",
      sourceIPAddress: "198.51.100.7",
      userAgent: "aws-cli/2",
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/alice", userName: "alice" },
      requestParameters: { secretId: "prod/db" },
      eventID: `00000000-0000-4000-8000-00000000000${minute}`,
      eventType: "AwsApiCall",
      recipientAccountId: "123456789012",
    });
    writeFileSync(join(dir, "two.json"), JSON.stringify({ Records: [read(1), read(2)] }));
    writeFileSync(join(dir, "three.json"), JSON.stringify({ Records: [read(1), read(2), read(3)] }));
    const below = capture(dir);
    await main(["scan", "--format", "jsonl", "--rules", "rules", "two.json"], below.io);
    expect(below.out()).not.toMatch(/sigma-test-many-reads/);
    const above = capture(dir);
    await main(["scan", "--format", "jsonl", "--rules", "rules", "three.json"], above.io);
    expect(above.out().match(/"detection":"sigma-test-many-reads"/g)).toHaveLength(1);
  });

  it("needs --out", async () => {
    const c = capture(tmpdir());
    expect(await main(["rules", "import-sigma", "x.yml"], c.io)).toBe(2);
    expect(c.err()).toMatch(/missing --out DIR/);
  });
});
