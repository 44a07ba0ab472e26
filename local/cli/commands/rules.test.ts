import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderDetectionReference } from "../../../core/detections/reference.js";
import { DETECTION_IDS } from "../../../core/model/catalog.js";
import { consoleLogin } from "../../../test/fixtures/events/cloudtrail.js";
import { main } from "../main.js";

function capture(cwd = process.cwd()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

const envelope = (source: string, extra: Record<string, unknown> = {}) => ({
  version: "0",
  id: `id-${source}`,
  "detail-type": "AWS API Call via CloudTrail",
  source,
  account: "123456789012",
  time: "2024-05-01T10:00:00Z",
  region: "us-east-1",
  resources: [],
  detail: { eventName: "PutBucketPolicy", ...extra },
});

describe("riposte rules list", () => {
  it("prints the catalog as JSON with the deployed patterns", async () => {
    const c = capture();

    const code = await main(["rules", "list", "--format", "json"], c.io);

    expect(code).toBe(0);
    const list = JSON.parse(c.out());
    expect(list).toHaveLength(DETECTION_IDS.length);
    expect(Object.keys(list[0])).toEqual(["id", "title", "category", "severity", "attack", "stateful", "pattern"]);
    const ssh = list.find((entry: { id: string }) => entry.id === "sg-ssh-open-world");
    expect(ssh).toMatchObject({ category: "network", severity: "high", attack: { id: "T1562.007" }, stateful: false });
    expect(ssh.pattern.source).toEqual(["aws.ec2"]);
    expect(JSON.stringify(ssh.pattern)).toContain('"prefix":"riposte-"');
  });

  it("uses the configured tool role prefix in the patterns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "riposte-rules-"));
    writeFileSync(join(dir, "c.json"), JSON.stringify({ protection: { toolRolePrefix: "secops-" } }));
    const c = capture(dir);

    await main(["rules", "list", "--format", "json", "--config", "c.json"], c.io);

    expect(c.out()).toContain('"prefix": "secops-"');
  });

  it("prints a table by default", async () => {
    const c = capture();

    await main(["rules", "list"], c.io);

    const lines = c.out().trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+CATEGORY\s+SEVERITY\s+ATT&CK\s+KIND\s+RESPONSE$/);
    expect(lines).toHaveLength(DETECTION_IDS.length + 1);
  });
});

describe("docs/detections.md", () => {
  it("is what the catalog generates (regenerate: npx riposte rules list --format markdown > docs/detections.md)", () => {
    const file = fileURLToPath(new URL("../../../docs/detections.md", import.meta.url));

    expect(readFileSync(file, "utf8")).toBe(renderDetectionReference());
  });
});

describe("riposte rules test", () => {
  function files(pattern: unknown, events: string) {
    const dir = mkdtempSync(join(tmpdir(), "riposte-rules-test-"));
    writeFileSync(join(dir, "pattern.json"), typeof pattern === "string" ? pattern : JSON.stringify(pattern));
    writeFileSync(join(dir, "events.json"), events);
    return dir;
  }

  it("says for each event whether it matches, from a JSON array", async () => {
    const dir = files({ source: ["aws.s3"] }, JSON.stringify([envelope("aws.s3"), envelope("aws.ec2")]));
    const c = capture(dir);

    const code = await main(["rules", "test", "pattern.json", "events.json"], c.io);

    expect(code).toBe(0);
    expect(c.out()).toBe("0\tmatch\tevents.json:1\n1\tno match\tevents.json:2\n");
  });

  it("prints {index, match} per event for JSON Lines with --format jsonl, across several files", async () => {
    const dir = files(
      { detail: { eventName: [{ prefix: "Put" }] } },
      [envelope("aws.s3"), envelope("aws.s3", { eventName: "GetObject" })].map((e) => JSON.stringify(e)).join("\n"),
    );
    writeFileSync(join(dir, "one.json"), JSON.stringify(envelope("aws.iam"), null, 2));
    const c = capture(dir);

    const code = await main(["rules", "test", "--format", "jsonl", "pattern.json", "events.json", "one.json"], c.io);

    expect(code).toBe(0);
    expect(
      c
        .out()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { index: 0, match: true },
      { index: 1, match: false },
      { index: 2, match: true },
    ]);
  });

  it("exits 2 naming the problem of an invalid pattern", async () => {
    const dir = files({ detail: { eventName: [{ wildcard: "a**" }] } }, JSON.stringify(envelope("aws.s3")));
    const c = capture(dir);

    const code = await main(["rules", "test", "pattern.json", "events.json"], c.io);

    expect(code).toBe(2);
    expect(c.err()).toBe(
      "riposte rules: pattern.json: invalid event pattern at detail.eventName[0].wildcard: consecutive wildcard characters are not allowed\n",
    );
  });

  it.each([
    [
      { detail: { ip: [{ cidr: "10.0.0.1/32" }] } },
      /detail\.ip\[0\]\.cidr: .*EventBridge refuses \/32: write the address itself/,
    ],
    [{ detail: { ip: [{ cidr: "10.0.0.0/ 24" }] } }, /no spaces/],
    [{ detail: { n: [{ numeric: [">=", 5, "<=", 5] }] } }, /for one value, write \["=", 5\]/],
    [
      '{"detail":{"n":[12345678901234567890]}}',
      /beyond double precision.*EventBridge compares such a number by its digits/,
    ],
    [
      { source: ["aws.s3"], $or: [{ source: ["aws.ec2"] }, { region: ["us-east-1"] }] },
      /at \$or\[0\]\.source: "source" is already declared at source;.*depends on the order of the keys/,
    ],
  ])("says why EventBridge would refuse %j", async (pattern, reason) => {
    const dir = files(pattern, JSON.stringify(envelope("aws.s3")));
    const c = capture(dir);

    const code = await main(["rules", "test", "pattern.json", "events.json"], c.io);

    expect(code).toBe(2);
    expect(c.err()).toMatch(reason);
    expect(c.out()).toBe("");
  });

  it("accepts a wildcard with a hyphen and tests it", async () => {
    const dir = files({ region: [{ wildcard: "us-*" }] }, JSON.stringify([envelope("aws.s3")]));
    const c = capture(dir);

    const code = await main(["rules", "test", "pattern.json", "events.json"], c.io);

    expect(code).toBe(0);
    expect(c.out()).toBe("0\tmatch\tevents.json:1\n");
  });

  it("reports events that are not EventBridge events on stderr and exits 1, testing the rest", async () => {
    const dir = files(
      { source: ["aws.s3"] },
      [JSON.stringify(consoleLogin(true)), "{bad", JSON.stringify(envelope("aws.s3"))].join("\n"),
    );
    const c = capture(dir);

    const code = await main(["rules", "test", "pattern.json", "events.json"], c.io);

    expect(code).toBe(1);
    expect(c.out()).toBe("0\tmatch\tevents.json:3\n");
    expect(c.err()).toContain(
      "events.json:1: not an EventBridge event: missing id, account, source, time, region, resources, detail-type (this looks like a CloudTrail record",
    );
    expect(c.err()).toContain("events.json:2: invalid JSON");
  });

  it.each([
    [["rules"], /missing subcommand/],
    [["rules", "show"], /unknown subcommand "show"/],
    [["rules", "test", "p.json"], /missing the event files/],
    [["rules", "list", "--format", "yaml"], /--format must be one of table, json, markdown/],
  ])("exits 2 on usage errors: %j", async (argv, message) => {
    const c = capture();

    expect(await main(argv, c.io)).toBe(2);
    expect(c.err()).toMatch(message);
  });
});
