import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { authorizeIngress, consoleLogin, createSecurityGroup, IP } from "../../../test/fixtures/events/cloudtrail.js";
import { main } from "../main.js";

/** The fields of a `--format jsonl` finding, in order (issue 3's contract). */
const FINDING_FIELDS = [
  "detection",
  "category",
  "severity",
  "time",
  "eventIds",
  "account",
  "region",
  "principal",
  "resource",
  "summary",
];

function capture(cwd = process.cwd()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-scan-"));
  const trail = join(dir, "AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2024", "05", "01");
  mkdirSync(trail, { recursive: true });
  const records = [
    createSecurityGroup("sg-0abc", "web", {}, { time: "2024-05-01T10:00:00Z" }),
    authorizeIngress("sg-0abc", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }], { time: "2024-05-01T10:01:00Z" }),
    consoleLogin(false, { time: "2024-05-01T10:02:00Z", ip: IP.germany }),
  ];
  writeFileSync(
    join(trail, "123456789012_CloudTrail_us-east-1_20240501T1005Z_a.json.gz"),
    gzipSync(JSON.stringify({ Records: records })),
  );
  return dir;
}

describe("riposte scan", () => {
  it("prints one JSON object per finding with exactly the documented fields", async () => {
    const c = capture();

    const code = await main(["scan", "--format", "jsonl", fixtureDir()], c.io);

    expect(code).toBe(0);
    const lines = c
      .out()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.detection).sort()).toEqual([
      "console-login-failure",
      "sg-created-open",
      "sg-ssh-open-world",
    ]);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(FINDING_FIELDS);
      expect(["info", "low", "medium", "high", "critical"]).toContain(line.severity);
    }
    expect(lines.find((line) => line.detection === "sg-ssh-open-world")).toMatchObject({
      category: "network",
      severity: "high",
      time: "2024-05-01T10:01:00Z",
      account: "123456789012",
      region: "us-east-1",
      resource: "sg-0abc",
    });
    expect(c.err()).toBe("");
  });

  it("prints a table and a summary by detection and severity", async () => {
    const c = capture();

    const code = await main(["scan", fixtureDir()], c.io);

    expect(code).toBe(0);
    const out = c.out();
    expect(out.split("\n")[0]).toMatch(/^TIME\s+SEVERITY\s+DETECTION\s+ACCOUNT\s+REGION\s+RESOURCE\s+SUMMARY$/);
    expect(out).toContain("Read 3 events from 1 file (2024-05-01T10:00:00.000Z to 2024-05-01T10:02:00.000Z).");
    expect(out).toContain("3 findings: high 2, low 1.");
    expect(out).toMatch(/By detection:\n {2}sg-created-open\s+high\s+1/);
  });

  it("reports unreadable records on stderr with file, position and reason, keeps scanning, exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-scan-bad-"));
    writeFileSync(
      join(dir, "events.jsonl"),
      [JSON.stringify(consoleLogin(false)), "{oops", JSON.stringify({ what: 1 })].join("\n"),
    );
    const c = capture(dir);

    const code = await main(["scan", "--format", "jsonl", "events.jsonl", "missing.json"], c.io);

    expect(code).toBe(1);
    expect(c.out().trim().split("\n")).toHaveLength(1);
    const errors = c.err().trim().split("\n");
    expect(errors).toEqual([
      "riposte scan: missing.json:0: no such file or directory",
      expect.stringMatching(/^riposte scan: events\.jsonl:2: invalid JSON/),
      expect.stringMatching(/^riposte scan: events\.jsonl:3: unrecognised record/),
      "riposte scan: 2 unreadable records, 1 unreadable files",
    ]);
  });

  it("counts events that came too late to be ordered, in the summary and once on stderr, and still exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-scan-late-"));
    const login = (time: string) => JSON.stringify(consoleLogin(false, { time, ip: IP.germany }));
    // Read in name order: b's 10:05 arrives after a's 11:00 was processed (more than 15 min later).
    writeFileSync(
      join(dir, "a.jsonl"),
      [login("2024-05-01T10:00:00Z"), login("2024-05-01T11:00:00Z"), login("2024-05-01T11:30:00Z")].join("\n"),
    );
    writeFileSync(join(dir, "b.jsonl"), login("2024-05-01T10:05:00Z"));
    const table = capture();
    const jsonl = capture();

    const tableCode = await main(["scan", dir], table.io);
    const jsonlCode = await main(["scan", "--format", "jsonl", dir], jsonl.io);

    expect([tableCode, jsonlCode]).toEqual([0, 0]);
    expect(table.out()).toContain("Late: 1 event processed out of event-time order (details on stderr).");
    const warning = expect.stringMatching(
      /^riposte scan: 1 event arrived later than the ordering window allows \(15 min .*\) and was processed out of event-time order; stateful detections may miss or mis-order them\. Scan such inputs separately/,
    );
    expect(table.err().trim().split("\n")).toEqual([warning]);
    expect(jsonl.err().trim().split("\n")).toEqual([warning]);
    const lines = jsonl
      .out()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4);
    expect(Object.keys(lines[0])).toEqual(FINDING_FIELDS);
  });

  it("says nothing about late events when every event could be ordered", async () => {
    const c = capture();

    await main(["scan", fixtureDir()], c.io);

    expect(c.out()).not.toContain("Late:");
    expect(c.err()).toBe("");
  });

  it("exits 3 with --fail-on when a finding reaches the severity, and 0 when none does", async () => {
    const dir = fixtureDir();
    const high = capture();
    const critical = capture();

    expect(await main(["scan", "--fail-on", "high", "--format", "jsonl", dir], high.io)).toBe(3);
    expect(await main(["scan", "--fail-on", "critical", "--format", "jsonl", dir], critical.io)).toBe(0);
  });

  it("applies the configuration file", async () => {
    const dir = fixtureDir();
    const config = join(dir, "riposte.json");
    writeFileSync(config, JSON.stringify({ detections: { "console-login-failure": { enabled: false } } }));
    const c = capture();

    await main(["scan", "--format", "jsonl", "--config", config, dir], c.io);

    expect(c.out()).not.toContain("console-login-failure");
  });

  it("never lets a record write control sequences to the terminal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-scan-esc-"));
    const evil = authorizeIngress("sg-\u001b[2J\u001b]0;pwned\u0007x\r", [{ from: 22, to: 22, cidrs: ["0.0.0.0/0"] }]);
    writeFileSync(join(dir, "evil.json"), JSON.stringify({ Records: [evil] }));
    const c = capture();

    await main(["scan", dir], c.io);

    expect(c.out()).toContain("sg-");
    for (const control of ["\u001b", "\u0007", "\r"]) expect(c.out()).not.toContain(control);
  });

  it.each([
    [["scan"], /missing the files or directories/],
    [["scan", "--format", "xml", "x"], /--format must be one of table, jsonl/],
    [["scan", "--fail-on", "severe", "x"], /--fail-on must be one of info, low, medium, high, critical/],
    [["scan", "--readers", "two", "x"], /--readers must be a whole number from 0 to 16/],
    [["scan", "--readers", "17", "x"], /--readers must be a whole number from 0 to 16/],
  ])("exits 2 on usage errors: %j", async (argv, message) => {
    const c = capture();

    expect(await main(argv, c.io)).toBe(2);
    expect(c.err()).toMatch(message);
    expect(c.err()).toContain("Usage: riposte scan");
  });

  it("finds the same with reader threads as in one thread (--readers)", async () => {
    const dir = fixtureDir();
    const outputs: string[] = [];
    for (const readers of ["0", "1"]) {
      const c = capture();
      expect(await main(["scan", "--format", "jsonl", "--readers", readers, dir], c.io)).toBe(0);
      outputs.push(c.out());
    }
    expect(outputs[0]).toContain('"detection"');
    expect(outputs[1]).toBe(outputs[0]);
  });

  it("stops quietly when the reader of its output goes away (scan … | head)", async () => {
    let writes = 0;
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        writes++;
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const c = capture();

    const code = await main(["scan", "--format", "jsonl", fixtureDir()], { ...c.io, stdout });

    expect(code).toBe(0);
    expect(writes).toBeGreaterThan(0);
    expect(c.err()).toBe("");
  });

  it("draws no progress bar when stderr is not a terminal", async () => {
    const c = capture();

    await main(["scan", "--format", "jsonl", fixtureDir()], c.io);

    expect(c.err()).not.toContain("\r");
  });
});
