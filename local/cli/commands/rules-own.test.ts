import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { identity, record } from "../../../test/fixtures/events/cloudtrail.js";
import { GOOD_YAML } from "../../../test/fixtures/rules/own-rules.js";
import { main } from "../main.js";

/** `riposte rules list|test --rules`, `riposte scan --rules` and `rules.dir`: users' own rules. */

function capture(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: {}, cwd }, out: () => out, err: () => err };
}

const createUser = (user: Record<string, unknown>, userAgent = "aws-cli/2.15") =>
  record("iam.amazonaws.com", "CreateUser", { userName: "backdoor" }, null, { user, userAgent });

const envelope = (detail: Record<string, unknown>) => ({
  version: "0",
  id: String(detail.eventID),
  "detail-type": "AWS API Call via CloudTrail",
  source: "aws.iam",
  account: "123456789012",
  time: "2024-05-01T10:00:00Z",
  region: "us-east-1",
  resources: [],
  detail,
});

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "riposte-own-rules-"));
  mkdirSync(join(dir, "rules"));
  writeFileSync(join(dir, "rules", "root-user.yml"), GOOD_YAML);
  writeFileSync(join(dir, "rules", "broken.yml"), GOOD_YAML.replace("severity: high", "severity: severe"));
  writeFileSync(
    join(dir, "trail.json"),
    JSON.stringify({
      Records: [
        createUser(identity.root()),
        createUser(identity.user()),
        createUser(identity.root(), "console.amazonaws.com"),
      ],
    }),
  );
  writeFileSync(
    join(dir, "events.jsonl"),
    [createUser(identity.root()), createUser(identity.user())]
      .map((detail) => JSON.stringify(envelope(detail)))
      .join("\n"),
  );
  return dir;
}

describe("users' rules on the command line", () => {
  it("rules list shows them after the built-in detections with their origin, and reports the bad file", async () => {
    const dir = workspace();
    const c = capture(dir);
    const code = await main(["rules", "list", "--rules", "rules"], c.io);
    const lines = c.out().trim().split("\n");
    expect(lines[0]).toMatch(/ORIGIN$/);
    expect(lines[1]).toMatch(/^root-account-usage .* built-in$/);
    expect(lines.at(-1)).toMatch(
      /^root-created-user\s+identity\s+high\s+T1136\.003\s+stateless\s+notify\s+rules\/root-user\.yml$/,
    );
    expect(c.err()).toBe(
      'riposte rules: rules: broken.yml: severity: Invalid option: expected one of "info"|"low"|"medium"|"high"|"critical"\n',
    );
    expect(code).toBe(1);

    const json = capture(dir);
    await main(["rules", "list", "--format", "json", "--rules", "rules/root-user.yml"], json.io);
    const entries = JSON.parse(json.out()) as {
      id: string;
      origin: string;
      pattern: { detail: Record<string, unknown> };
    }[];
    const mine = entries.at(-1)!;
    expect(mine).toMatchObject({ id: "root-created-user", origin: "rules/root-user.yml" });
    // Loop prevention is part of the pattern it shows, as for built-in detections.
    expect(mine.pattern.detail.userIdentity).toHaveProperty("$or");
    expect(entries[0]).toMatchObject({ id: "root-account-usage", origin: "built-in" });
  });

  it("rules test --rules says which rules fire on each event", async () => {
    const dir = workspace();
    const c = capture(dir);
    const code = await main(["rules", "test", "--rules", "rules", "events.jsonl"], c.io);
    expect(c.out()).toBe("0\troot-created-user\tevents.jsonl:1\n1\tno rule\tevents.jsonl:2\n");
    expect(code).toBe(1);
    const jsonl = capture(dir);
    expect(
      await main(["rules", "test", "--format", "jsonl", "--rules", "rules/root-user.yml", "events.jsonl"], jsonl.io),
    ).toBe(0);
    expect(jsonl.out()).toBe(
      '{"index":0,"rules":["root-created-user"],"counted":[]}\n{"index":1,"rules":[],"counted":[]}\n',
    );
  });

  it("rules test --rules lists a correlated rule once, on the event completing its count", async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "rules", "three-users.yml"),
      `${GOOD_YAML.replace("id: root-created-user", "id: three-users-created")
        .replace(/condition:\n.*\n/, "")
        .replace(
          "userIdentity: { type: [Root] }",
          "",
        )}correlation: { type: event-count, groupBy: [userIdentity.arn], count: 3, windowMinutes: 10 }\n`,
    );
    const at = (minute: number, user = identity.user()) => {
      const detail = createUser(user);
      return envelope({ ...detail, eventTime: `2024-05-01T10:${String(minute).padStart(2, "0")}:00Z` });
    };
    // Three by one user within ten minutes, then a fourth (a new count starts), and one by root.
    const events = [at(0), at(1), at(2, identity.root()), at(3), at(4)];
    writeFileSync(join(dir, "burst.jsonl"), events.map((event) => JSON.stringify(event)).join("\n"));
    const c = capture(dir);

    await main(["rules", "test", "--rules", "rules/three-users.yml", "burst.jsonl"], c.io);

    expect(
      c
        .out()
        .split("\n")
        .map((line) => line.split("\t")[1]),
    ).toEqual([
      "no rule (counted by three-users-created)",
      "no rule (counted by three-users-created)",
      "no rule (counted by three-users-created)",
      "three-users-created",
      "no rule (counted by three-users-created)",
      undefined,
    ]);
  });

  it("scan --rules runs them beside the built-in detections; rules.dir does the same from the configuration", async () => {
    const dir = workspace();
    const c = capture(dir);
    const code = await main(["scan", "--format", "jsonl", "--rules", "rules", "trail.json"], c.io);
    const findings = c
      .out()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { detection: string });
    expect(findings.filter((finding) => finding.detection === "root-created-user")).toHaveLength(1);
    expect(findings.map((finding) => finding.detection)).toContain("root-account-usage");
    expect(c.err()).toMatch(/riposte scan: rules: broken\.yml: severity: /);
    expect(c.err()).toMatch(/1 problem in the rules; the rules that loaded ran/);
    expect(code).toBe(1);

    writeFileSync(join(dir, "riposte.json"), JSON.stringify({ rules: { dir: "rules" } }));
    const configured = capture(dir);
    await main(["scan", "--format", "jsonl", "--config", "riposte.json", "trail.json"], configured.io);
    expect(configured.out()).toMatch(/"detection":"root-created-user"/);

    const none = capture(dir);
    await main(["scan", "--format", "jsonl", "trail.json"], none.io);
    expect(none.out()).not.toMatch(/root-created-user/);
  });
});
