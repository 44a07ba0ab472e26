import { describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../core/config/load.js";
import { principalStateKey, signInBaselineKey } from "../../core/detections/identity/principal-state.js";
import { silentLogger } from "../../core/log.js";
import { DynamoCorrelationStore } from "../../core/store/dynamodb/correlation.js";
import { createTable } from "../../core/store/dynamodb/table.js";
import { startDynalite, uniqueTableName } from "../../test/support/dynalite.js";
import { recordTask } from "../record.js";
import { awsClientOptions, buildAwsRuntime } from "./aws-deps.js";
import { lambdaTask } from "./lambda.js";
import { lazily } from "./lazy.js";

const links = (config: unknown, extra: Record<string, unknown> = {}) => ({
  Settings: { config: JSON.stringify(config), version: "1.2.3", stage: "prod" },
  Incidents: { name: "riposte-prod-IncidentTable-abc" },
  ...extra,
});

describe("the AWS runtime", () => {
  it("builds the task deps from the links: configuration, mode, secrets, store and ledger", () => {
    const runtime = buildAwsRuntime({
      links: links(
        { remediation: { mode: "live" } },
        { SlackBotToken: { value: "xoxb-1" }, SlackSigningSecret: { value: "" } },
      ),
      env: { AWS_REGION: "eu-west-1", RIPOSTE_LOG_LEVEL: "warn", SLACK_API_URL: "http://127.0.0.1:9/api" },
    });

    expect(runtime.tableName).toBe("riposte-prod-IncidentTable-abc");
    expect([runtime.stage, runtime.version]).toEqual(["prod", "1.2.3"]);
    expect(runtime.deps.mode).toBe("live");
    expect(runtime.deps.secrets).toEqual({ slackBotToken: "xoxb-1", slackApiUrl: "http://127.0.0.1:9/api/" });
    expect(runtime.deps.aws).toEqual({ region: "eu-west-1" });
    expect(runtime.deps.ledger).toBeDefined();
  });

  it("reads the detections' sign-in baselines from the correlation state in the table", async () => {
    // Arrange: the new-IP detection's baseline of alice, written through the correlate function's store.
    const server = await startDynalite();
    try {
      const tableName = uniqueTableName();
      await createTable(server.client(), tableName);
      const alice = "arn:aws:iam::123456789012:user/alice";
      const state = new DynamoCorrelationStore({ client: server.client(), tableName });
      const key = signInBaselineKey("ip", principalStateKey("123456789012", alice));
      await state.addToSet(key, ["81.2.69.142"], { now: Date.parse("2026-03-01T09:00:00Z"), expiresAt: 9e12 });
      await state.addToSet(key, ["89.160.20.112"], { now: Date.parse("2026-03-10T14:29:00Z"), expiresAt: 9e12 });

      // Act
      const runtime = buildAwsRuntime({
        links: { ...links({}), Incidents: { name: tableName } },
        env: {},
        dynamo: server.client(),
      });
      const baseline = await runtime.deps.baselines?.before("123456789012", alice, Date.parse("2026-03-10T14:29:00Z"));

      // Assert
      expect(baseline).toEqual({ firstSeen: "2026-03-01T09:00:00.000Z", knownIps: ["81.2.69.142"], knownDevices: [] });
    } finally {
      await server.stop();
    }
  });

  it("names the broken setting when the links or environment are wrong", () => {
    expect(() => buildAwsRuntime({ links: {}, env: {} })).toThrow(/Settings link is missing/);
    expect(() => buildAwsRuntime({ links: links({}), env: { RIPOSTE_LOG_LEVEL: "loud" } })).toThrow(
      /RIPOSTE_LOG_LEVEL/,
    );
  });

  it("hands remediation the member role to assume in org-wide mode", () => {
    const config = parseConfig({
      aws: { organization: { id: "o-a1b2c3d4e5", memberRole: { name: "riposte-member", externalId: "ext-1" } } },
    });

    expect(awsClientOptions(config, { AWS_REGION: "eu-west-1" })).toEqual({
      region: "eu-west-1",
      assumeRole: { roleName: "riposte-member", externalId: "ext-1", sessionName: "riposte" },
    });
  });
});

describe("lazily", () => {
  it("builds once, and again after a failure", async () => {
    const build = vi.fn().mockRejectedValueOnce(new Error("not yet")).mockResolvedValue(42);
    const value = lazily(build);

    await expect(value()).rejects.toThrow("not yet");
    expect(await value()).toBe(42);
    expect(await value()).toBe(42);
    expect(build).toHaveBeenCalledTimes(2);
  });
});

describe("lambdaTask", () => {
  it("runs the task with the deps built on first use and keeps the task's named errors", async () => {
    const resolveDeps = vi.fn(async () => ({ logger: silentLogger }) as never);
    const handler = lambdaTask(recordTask, resolveDeps);

    await expect(handler({ incidentId: 42 })).rejects.toMatchObject({ name: "InvalidInput" });
    await expect(handler({})).rejects.toMatchObject({ name: "InvalidInput" });
    expect(resolveDeps).toHaveBeenCalledTimes(1);
  });
});
