import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../main.js";

async function configCheck(...args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  const code = await main(["config", "check", ...args], { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, out, err };
}

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "riposte-config-")), "riposte.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

/** Every kind of setting issue 10 asks the one configuration file to hold. */
const everySetting = {
  detections: {
    "root-account-usage": { mode: "approval" },
    "sg-temporary-rule": { enabled: false },
    "console-login-brute-force": { mode: "auto" },
  },
  thresholds: { bruteForce: { failures: 5, windowMinutes: 15 }, impossibleTravel: { speedKmh: 1000 } },
  trustedCidrs: ["203.0.113.0/24", "2001:db8::/32"],
  protection: {
    tag: { key: "security:protect", value: "yes" },
    principals: ["arn:aws:iam::123456789012:role/break-glass-*"],
  },
  notify: {
    slack: { channel: "#security-alerts" },
    sns: { topicArn: "arn:aws:sns:eu-west-1:123456789012:riposte-alerts" },
  },
  approval: { slackApprovers: ["U0123ABCD", "W0456EFGH"], timeoutSeconds: 900 },
  remediation: { mode: "live" },
};

describe("riposte config check", () => {
  it("prints the effective configuration of a valid file, defaults filled in, and exits 0", async () => {
    const path = configFile(everySetting);

    const { code, out, err } = await configCheck(path);

    expect(code).toBe(0);
    expect(err).toBe(`${path}: valid\n`);
    const effective = JSON.parse(out);
    // What the file set…
    expect(effective).toMatchObject({
      detections: {
        "root-account-usage": { enabled: true, mode: "approval" },
        "sg-temporary-rule": { enabled: false },
      },
      thresholds: { bruteForce: { failures: 5, windowMinutes: 15 }, impossibleTravel: { speedKmh: 1000 } },
      trustedCidrs: ["203.0.113.0/24", "2001:db8::/32"],
      protection: { tag: { key: "security:protect", value: "yes" } },
      notify: { slack: { channel: "#security-alerts" }, sns: { topicArn: everySetting.notify.sns.topicArn } },
      approval: { slackApprovers: ["U0123ABCD", "W0456EFGH"], timeoutSeconds: 900 },
      remediation: { mode: "live" },
    });
    // …and the defaults around it.
    expect(effective.thresholds.impossibleTravel.minDistanceKm).toBe(500);
    expect(effective.notify.slack).toMatchObject({ retries: 2, timeoutMs: 5000 });
    expect(effective.protection.toolRolePrefix).toBe("riposte-");
    expect(effective.sources.watch).toEqual({ pollSeconds: 5, settleSeconds: 2 });
  });

  it("without a file prints the defaults: dry-run remediation, no live sources", async () => {
    const { code, out, err } = await configCheck();

    expect(code).toBe(0);
    expect(err).toBe("default configuration: valid\n");
    const effective = JSON.parse(out);
    expect(effective.remediation.mode).toBe("dry-run");
    expect(effective.detections).toEqual({});
    expect(effective.protection.tag).toEqual({ key: "riposte:protect", value: "true" });
    expect(effective.sources.sqs.queueUrl).toBeUndefined();
    expect(effective.sources.cloudtrailPoll.enabled).toBe(false);
  });

  it("names every bad setting by its path and exits 2 without printing a configuration", async () => {
    const path = configFile({
      detections: { "root-account-usage": { mode: "sometimes" }, "no-such-detection": { enabled: true } },
      thresholds: { bruteForce: { failures: 1 } },
      trustedCidrs: ["10.0.0.0/33", "not-a-cidr"],
      protection: { tag: { key: "", value: "true" }, principals: [""] },
      notify: { slack: { retries: 2 }, sns: { topicArn: "arn:aws:s3:::bucket" } },
      approval: { slackApprovers: ["alice"] },
      remediation: { mode: "yolo" },
      sources: { sqs: { waitSeconds: 30 } },
    });

    const { code, out, err } = await configCheck(path);

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`configuration file ${path} is invalid`);
    for (const setting of [
      "detections.root-account-usage.mode: Invalid option",
      'detections.no-such-detection: unknown detection id "no-such-detection"; valid ids: root-account-usage,',
      "thresholds.bruteForce.failures: Too small",
      "trustedCidrs.0: expected a CIDR",
      "trustedCidrs.1: expected a CIDR",
      "protection.tag.key: Too small",
      "protection.principals.0: Too small",
      "notify.slack.channel: Invalid input",
      "notify.sns.topicArn: expected an SNS topic ARN",
      "approval.slackApprovers.0: expected a Slack user id",
      "remediation.mode: Invalid option",
      "sources.sqs.waitSeconds: Too big",
    ]) {
      expect(err).toContain(setting);
    }
  });

  it("refuses unknown settings at any depth, naming each (a typo is never silently ignored)", async () => {
    const path = configFile({
      remediaton: { mode: "live" },
      remediation: { mdoe: "live" },
      thresholds: { bruteForce: { failures: 4, windowMinuets: 5 } },
      detections: { "root-account-usage": { enable: false } },
    });

    const { code, err } = await configCheck(path);

    expect(code).toBe(2);
    expect(err).toContain("remediaton: unknown setting");
    expect(err).toContain("remediation.mdoe: unknown setting");
    expect(err).toContain("thresholds.bruteForce.windowMinuets: unknown setting");
    expect(err).toContain("detections.root-account-usage.enable: unknown setting");
  });

  it("reports a file that is not JSON, naming the file, and exits 2", async () => {
    const path = configFile("remediation:\n  mode: live\n");

    const { code, out, err } = await configCheck(path);

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`configuration file ${path} is not valid JSON`);
  });

  it("reports a missing file, naming it, and exits 2", async () => {
    const path = join(tmpdir(), "riposte-no-such-dir", "riposte.json");

    const { code, out, err } = await configCheck(path);

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`cannot read configuration file ${path}`);
    expect(err).toContain("ENOENT");
  });

  it("is a usage error without the check subcommand or with extra arguments", async () => {
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (chunk) => (err += chunk));
    const io = { stdout: new PassThrough(), stderr, env: {}, cwd: process.cwd() };

    expect(await main(["config", "validate"], io)).toBe(2);
    expect(err).toContain('unknown subcommand "validate"');
    expect((await configCheck(configFile({}), "extra")).code).toBe(2);
  });

  it("quotes an unknown key that is not a plain name, so it cannot forge another line", async () => {
    const path = configFile({ "evil\nremediation.mode: valid": 1 });

    const { code, err } = await configCheck(path);

    expect(code).toBe(2);
    expect(err).toContain('"evil\\nremediation.mode: valid": unknown setting');
    expect(err).not.toContain("\nremediation.mode: valid");
  });
});
