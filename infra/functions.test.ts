import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOG_RETENTION_DAYS } from "../core/config/schema.js";
import { TASK_NAMES } from "../core/model/tasks.js";
import {
  ACCOUNT_CONCURRENCY,
  DEPLOYED_FUNCTIONS,
  FUNCTION_SPECS,
  GEO_PACKAGES,
  installedVersions,
  LINKS,
  retentionName,
} from "./functions.js";

const root = join(import.meta.dirname, "..");

describe("FUNCTION_SPECS", () => {
  it.each(DEPLOYED_FUNCTIONS)("%s: its handler module exists and exports the handler", async (fn) => {
    const [file, exported] = FUNCTION_SPECS[fn].handler.split(".") as [string, string];

    const module = (await import(join(root, `${file}.ts`))) as Record<string, unknown>;

    expect(typeof module[exported]).toBe("function");
  });

  it("gives every function a unique PascalCase name, a Lambda-valid size and time, and known links", () => {
    const names = DEPLOYED_FUNCTIONS.map((fn) => FUNCTION_SPECS[fn].logicalName);

    expect(new Set(names).size).toBe(names.length);
    for (const fn of DEPLOYED_FUNCTIONS) {
      const spec = FUNCTION_SPECS[fn];
      expect(spec.logicalName).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(spec.memoryMb).toBeGreaterThanOrEqual(128);
      expect(spec.timeoutSeconds).toBeLessThanOrEqual(900);
      for (const link of spec.links) expect(LINKS).toContain(link);
    }
    // API Gateway gives an integration 30 seconds.
    expect(FUNCTION_SPECS.api.timeoutSeconds).toBeLessThan(30);
    expect(FUNCTION_SPECS.slack.timeoutSeconds).toBeLessThan(30);
  });

  it.each(["DashboardUsers", "DashboardToken"] as const)(
    "links the dashboard tokens (%s) only to the functions that check tokens",
    (secret) => {
      const linked = DEPLOYED_FUNCTIONS.filter((fn) => FUNCTION_SPECS[fn].links.includes(secret));

      expect(linked).toEqual(["api", "wsConnect"]);
    },
  );

  it("ships the geolocation data with exactly the functions that locate addresses", () => {
    const geo = DEPLOYED_FUNCTIONS.filter((fn) => FUNCTION_SPECS[fn].geo);

    expect(geo).toEqual(["enrich", "correlate"]);
    expect(Object.keys(installedVersions(GEO_PACKAGES, root))).toEqual([...GEO_PACKAGES]);
    for (const version of Object.values(installedVersions(GEO_PACKAGES, root))) expect(version).toMatch(/^\d+\.\d+/);
  });

  it("reserves concurrency for the approval, dashboard and record paths, leaving the account's pool room", () => {
    const reserved = DEPLOYED_FUNCTIONS.filter((fn) => FUNCTION_SPECS[fn].reservedConcurrency !== undefined);
    const total = reserved.reduce((sum, fn) => sum + (FUNCTION_SPECS[fn].reservedConcurrency ?? 0), 0);

    expect(reserved.sort()).toEqual(["api", "record", "slack"]);
    for (const fn of reserved) expect(FUNCTION_SPECS[fn].reservedConcurrency).toBeGreaterThanOrEqual(10);
    // Lambda refuses a reservation that leaves fewer than 100 unreserved; keep most of the pool shared.
    expect(total).toBeLessThanOrEqual((ACCOUNT_CONCURRENCY.limit - ACCOUNT_CONCURRENCY.unreservedMinimum) / 4);
  });

  it("names every retention period the configuration accepts", () => {
    for (const days of LOG_RETENTION_DAYS) expect(retentionName(days)).toMatch(/^\d+ (day|week|month|year)s?$/);
    expect(() => retentionName(2)).toThrow(/not a CloudWatch Logs retention period/);
  });
});

describe("stacks/", () => {
  const stacks = readdirSync(join(root, "stacks"))
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
    .map((file) => readFileSync(join(root, "stacks", file), "utf8"))
    .join("\n");
  const helpers = readdirSync(join(root, "stacks", "lib"))
    .filter((file) => file.endsWith(".ts"))
    .map((file) => readFileSync(join(root, "stacks", "lib", file), "utf8"))
    .join("\n");

  it("schedules with sst.aws.CronV2 (SST 4 deprecates sst.aws.Cron), the scheduler's role named like every other", () => {
    expect(`${stacks}\n${helpers}`).not.toMatch(/sst\.aws\.Cron\(/);
    expect(helpers).toMatch(/new sst\.aws\.CronV2\(/);
    expect(helpers).toMatch(/role: \(args\) => \{\s*args\.name = homeRegion\.apply\(\(region\) => roleName\(/);
    expect([...stacks.matchAll(/schedule\("(\w+)", \w+, "rate\(/g)].map((match) => match[1])).toEqual([
      "NoticesSchedule",
      "SweepExpiredChangesSchedule",
      "WsHeartbeatSchedule",
    ]);
  });

  it("creates each deployed function once under its spec's name: one per task, the others each explicitly", () => {
    const created = [...stacks.matchAll(/new sst\.aws\.Function\(\s*"(\w+)",\s*functionArgs\("(\w+)"/g)].map(
      (match) => [match[1], match[2]],
    );
    const perTaskFunctions = stacks.match(
      /perTask\(\s*\(task\) =>\s*new sst\.aws\.Function\(FUNCTION_SPECS\[task\]\.logicalName,\s*functionArgs\(task,/g,
    );

    expect(perTaskFunctions).toHaveLength(1);
    expect([...TASK_NAMES, ...created.map(([, fn]) => fn)].sort()).toEqual([...DEPLOYED_FUNCTIONS].sort());
    for (const [name, fn] of created) expect(name).toBe(FUNCTION_SPECS[fn as keyof typeof FUNCTION_SPECS].logicalName);
  });

  it("never links a component whose link grants a wildcard action", () => {
    // sst.aws.Dynamo, SnsTopic, Queue, Bucket and StepFunctions links grant `<service>:*`.
    expect(stacks).not.toMatch(/link:\s*\[[^\]]*\b(table|alerts|candidates)\b/);
    expect(stacks).not.toMatch(/"(dynamodb|sns|sqs|states|s3):\*"/);
  });
});
