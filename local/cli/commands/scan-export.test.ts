import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { validateAsff } from "../../../core/export/asff.js";
import { validateOcsf } from "../../../core/export/ocsf.js";
import { DETECTION_IDS } from "../../../core/model/catalog.js";
import {
  albLine,
  authorizeIngress,
  consoleLogin,
  createSecurityGroup,
  IP,
} from "../../../test/fixtures/events/cloudtrail.js";
import { SCENARIOS } from "../../../test/fixtures/events/scenarios.js";
import { main } from "../main.js";

/** `riposte scan --format asff|ocsf`: every printed item validates; what cannot be exported is reported. */

function capture(cwd = process.cwd()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

function trailDir(records: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-export-"));
  const trail = join(dir, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2024", "05", "01");
  mkdirSync(trail, { recursive: true });
  writeFileSync(
    join(trail, "123456789012_CloudTrail_us-east-1_20240501T1005Z_a.json.gz"),
    gzipSync(JSON.stringify({ Records: records })),
  );
  return dir;
}

const threeFindings = () =>
  trailDir([
    createSecurityGroup("sg-0abc", "web", {}, { time: "2024-05-01T10:00:00Z" }),
    authorizeIngress("sg-0abc", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }], { time: "2024-05-01T10:01:00Z" }),
    consoleLogin(false, { time: "2024-05-01T10:02:00Z", ip: IP.germany }),
  ]);

const ocsfLines = (out: string) =>
  out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe("riposte scan --format asff", () => {
  it("prints one JSON array of valid ASFF findings, one per line", async () => {
    const c = capture();

    const code = await main(["scan", "--format", "asff", threeFindings()], c.io);

    expect(code).toBe(0);
    expect(c.err()).toBe("");
    const findings = JSON.parse(c.out());
    expect(Array.isArray(findings)).toBe(true);
    expect(findings.map((finding: { GeneratorId: string }) => finding.GeneratorId).sort()).toEqual([
      "console-login-failure",
      "sg-created-open",
      "sg-ssh-open-world",
    ]);
    for (const finding of findings) expect(validateAsff(finding)).toEqual([]);
    expect(c.out().split("\n")).toHaveLength(findings.length + 3);
  });

  it("prints an empty array when nothing is found", async () => {
    const c = capture();

    const code = await main(["scan", "--format", "asff", trailDir([consoleLogin(true, { mfa: true })])], c.io);

    expect(code).toBe(0);
    expect(c.out()).toBe("[]\n");
  });

  it("reports a finding whose logs name no account or region, prints the rest, exits 1; --account and --region place it", async () => {
    const dir = threeFindings();
    // ALB access logs name no account or region.
    const start = Date.parse("2024-05-01T10:03:00Z");
    const scan = Array.from({ length: 120 }, (_, i) =>
      albLine(new Date(start + i * 400).toISOString(), IP.germany, 404, "Mozilla/5.0", `/admin${i}.php`),
    );
    writeFileSync(join(dir, "access.log"), `${scan.join("\n")}\n`);
    const without = capture();
    const placed = capture();

    const withoutCode = await main(["scan", "--format", "asff", dir], without.io);
    const placedCode = await main(
      ["scan", "--format", "asff", "--account", "123456789012", "--region", "eu-west-1", dir],
      placed.io,
    );

    expect(withoutCode).toBe(1);
    expect(JSON.parse(without.out())).toHaveLength(3);
    expect(without.err()).toMatch(
      /^riposte scan: finding web-scanning-[0-9a-f]{32} cannot be exported as ASFF: account "" is not a 12-digit id; region "" is not an AWS region\n/,
    );
    expect(without.err()).toContain("riposte scan: 1 finding could not be exported as ASFF\n");
    expect(placedCode).toBe(0);
    const findings = JSON.parse(placed.out());
    expect(findings).toHaveLength(4);
    for (const finding of findings) expect(validateAsff(finding)).toEqual([]);
    expect(findings.find((finding: { GeneratorId: string }) => finding.GeneratorId === "web-scanning")).toMatchObject({
      AwsAccountId: "123456789012",
      ProductArn: "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default",
    });
  });

  it("keeps names from the logs as data in the JSON", async () => {
    const evil = 'sg-"],"Id":"x\u001b[2J\u2028';
    const c = capture();

    await main(
      ["scan", "--format", "asff", trailDir([authorizeIngress(evil, [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }])])],
      c.io,
    );

    const [finding] = JSON.parse(c.out());
    expect(validateAsff(finding)).toEqual([]);
    expect(finding.ProductFields["riposte/resource"]).toBe(evil);
    expect(finding.Resources[0]).toMatchObject({ Type: "Other", Id: evil });
  });
});

describe("riposte scan --format ocsf", () => {
  it("prints one valid OCSF Detection Finding per line", async () => {
    const c = capture();

    const code = await main(["scan", "--format", "ocsf", threeFindings()], c.io);

    expect(code).toBe(0);
    expect(c.err()).toBe("");
    const events = ocsfLines(c.out());
    expect(events).toHaveLength(3);
    for (const event of events) {
      expect(validateOcsf(event)).toEqual([]);
      expect(event).toMatchObject({ class_uid: 2004, type_uid: 200401, cloud: { account: { uid: "123456789012" } } });
    }
  });
});

describe("riposte scan --format asff|ocsf over every firing detection scenario", () => {
  it("prints only items that validate, for every detection", async () => {
    const seen = new Set<string>();
    for (const scenario of SCENARIOS.filter((candidate) => candidate.fires)) {
      const dir = mkdtempSync(join(tmpdir(), "riposte-export-scenario-"));
      const lines = scenario.records.filter((record): record is string => typeof record === "string");
      const records = scenario.records.filter((record) => typeof record !== "string");
      if (lines.length > 0) writeFileSync(join(dir, "access.log"), `${lines.join("\n")}\n`);
      if (records.length > 0)
        writeFileSync(join(dir, "records.jsonl"), records.map((record) => JSON.stringify(record)).join("\n"));
      const configFile = join(mkdtempSync(join(tmpdir(), "riposte-export-config-")), "riposte.json");
      writeFileSync(configFile, JSON.stringify(scenario.config ?? {}));
      const args = ["--config", configFile, "--account", "123456789012", "--region", "us-east-1", dir];
      const asff = capture();
      const ocsf = capture();

      const codes = [
        await main(["scan", "--format", "asff", ...args], asff.io),
        await main(["scan", "--format", "ocsf", ...args], ocsf.io),
      ];

      const label = `${scenario.detection}: ${scenario.name}`;
      expect(codes, `${label}\n${asff.err()}${ocsf.err()}`).toEqual([0, 0]);
      const findings = JSON.parse(asff.out());
      const events = ocsfLines(ocsf.out());
      expect(events, label).toHaveLength(findings.length);
      for (const finding of findings) {
        expect(validateAsff(finding), label).toEqual([]);
        seen.add(finding.GeneratorId);
      }
      for (const event of events) expect(validateOcsf(event), label).toEqual([]);
    }

    expect(seen.size).toBe(DETECTION_IDS.length);
  }, 120_000);
});

describe("riposte scan export options", () => {
  it.each([
    [
      ["scan", "--format", "asff", "--account", "12345", "x"],
      /--account must be a 12-digit AWS account id \(got "12345"\)/,
    ],
    [
      ["scan", "--format", "ocsf", "--region", "mars-1", "x"],
      /--region must be an AWS region name such as us-east-1 \(got "mars-1"\)/,
    ],
    [["scan", "--format", "xml", "x"], /--format must be one of table, jsonl, asff, ocsf/],
  ])("exits 2 on usage errors: %j", async (argv, message) => {
    const c = capture();

    expect(await main(argv, c.io)).toBe(2);
    expect(c.err()).toMatch(message);
  });
});
